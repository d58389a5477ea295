import { BrandsAdminPage } from '../features/brands-admin/brands-admin-page';

export function Component() {
  return <BrandsAdminPage />;
}
