import { BotsPage } from '../features/bots/bots-page';

export function Component() {
  return <BotsPage />;
}
