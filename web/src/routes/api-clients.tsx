import { ApiClientsPage } from '../features/admin/api-clients-page';

export function Component() {
  return <ApiClientsPage />;
}
