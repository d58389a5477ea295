/**
 * The chart as the pages use it: the chart library is loaded on first use (its own chunk), with a
 * placeholder of the same size meanwhile; and the legend in the type colours.
 */
import { lazy, Suspense } from 'react';
import type { EventType } from '../lib/event-types';
import type { SeriesInput } from './area-chart';
import { Skeleton } from './states';

const ActivityChartImpl = lazy(() => import('./area-chart').then((m) => ({ default: m.ActivityChart })));

export function ActivityChart(props: {
  points: SeriesInput[];
  granularity: 'hour' | 'day';
  types?: EventType[];
  height?: number;
}) {
  return (
    <Suspense
      fallback={
        <div className="chart-box" style={{ height: props.height ?? 300 }} aria-busy="true">
          <Skeleton height="100%" />
        </div>
      }
    >
      <ActivityChartImpl {...props} />
    </Suspense>
  );
}

export function ChartLegend({ types = ['REG', 'FTD', 'CPA'] }: { types?: EventType[] }) {
  return (
    <div className="legend" aria-hidden>
      {types.map((type) => (
        <span key={type} className={`tc-${type}`}>
          {type}
        </span>
      ))}
    </div>
  );
}
