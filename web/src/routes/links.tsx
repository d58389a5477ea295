import { LinksPage } from '../features/links/links-page';

export function Component() {
  return <LinksPage />;
}
