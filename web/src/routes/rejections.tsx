import { RejectionsPage } from '../features/rejections/rejections-page';

export function Component() {
  return <RejectionsPage />;
}
