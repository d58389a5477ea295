import { BrokenTagsPage } from '../features/admin/broken-tags-page';

export function Component() {
  return <BrokenTagsPage />;
}
