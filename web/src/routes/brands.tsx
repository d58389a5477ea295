import { BrandsPage } from '../features/brands/brands-page';

export function Component() {
  return <BrandsPage />;
}
