import { ImportPage } from '../features/import/import-page';

export function Component() {
  return <ImportPage />;
}
