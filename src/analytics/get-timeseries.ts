/**
 * Activity chart: counts of every type per UTC hour (Today, Yesterday, ranges up to two days) or
 * per UTC day, zero-filled so every bucket of the range is present up to now. Served from the
 * rollups.
 */
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import { addToTotals, type Counts, emptyTotals, type Totals } from './metrics.js';
import { analyticsClock, bucketStarts, type Granularity } from './periods.js';
import { readRollups } from './read-rollups.js';

export interface TimeseriesPoint {
  t: string;
  counts: Counts;
}

export async function readSeries(
  db: Db,
  range: { from: number; to: number },
  granularity: Granularity,
  filters: Filters,
): Promise<Map<number, Totals>> {
  const byBucket = new Map<number, Totals>();
  for (const t of bucketStarts(range.from, range.to, granularity)) byBucket.set(t, emptyTotals());
  const rows = await readRollups(db, { ...range, filters, groupBy: [], bucket: granularity });
  for (const r of rows) {
    const totals = byBucket.get(r.bucket);
    if (totals) addToTotals(totals, r.type, r.currency, r.count, r.amount);
  }
  return byBucket;
}

export async function getTimeseries(
  db: Db,
  range: { from: number; to: number },
  granularity: Granularity,
  filters: Filters,
): Promise<TimeseriesPoint[]> {
  const series = [...(await readSeries(db, range, granularity, filters)).entries()];
  // Buckets still to come are left out, not drawn as zeros (a line dropping to 0 at the current
  // hour reads as traffic that stopped), unless a postback dated ahead of now filled one.
  const now = analyticsClock.now();
  let end = series.length;
  while (end > 0) {
    const [t, totals] = series[end - 1] as [number, Totals];
    if (t <= now || Object.values(totals.counts).some((n) => n > 0)) break;
    end -= 1;
  }
  return series.slice(0, end).map(([t, totals]) => ({
    t: new Date(t).toISOString(),
    counts: totals.counts,
  }));
}
