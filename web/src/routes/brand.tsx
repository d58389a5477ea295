import { BrandPage } from '../features/brands/brand-page';

export function Component() {
  return <BrandPage />;
}
