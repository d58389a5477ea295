import { StatsPage } from '../features/stats/stats-page';

export function Component() {
  return <StatsPage />;
}
