import { SourcesPage } from '../features/sources/sources-page';

export function Component() {
  return <SourcesPage />;
}
