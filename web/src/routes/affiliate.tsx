import { AffiliatePage } from '../features/affiliates/affiliate-page';

export function Component() {
  return <AffiliatePage />;
}
