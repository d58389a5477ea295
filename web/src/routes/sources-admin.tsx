import { SourcesAdminPage } from '../features/sources-admin/sources-admin-page';

export function Component() {
  return <SourcesAdminPage />;
}
