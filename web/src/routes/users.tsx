import { UsersPage } from '../features/admin/users-page';

export function Component() {
  return <UsersPage />;
}
