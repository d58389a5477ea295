import { DealsPage } from '../features/deals/deals-page';

export function Component() {
  return <DealsPage />;
}
