import { AffiliatesPage } from '../features/affiliates/affiliates-page';

export function Component() {
  return <AffiliatesPage />;
}
