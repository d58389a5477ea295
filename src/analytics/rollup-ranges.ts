/**
 * Splits a range [from, to) into the coarsest rollup buckets that cover it exactly: whole months
 * (grain 'm'), whole ISO weeks inside what is left (grain 'w', Monday 00:00 UTC), whole days
 * (grain 'd') and, at edges that are not day-aligned, hours (rollup_hour / rollup_hourly). So YTD
 * reads a few month rows, three or four week rows and a few days instead of every day. Pure.
 */
import { type RawBuilder, sql } from 'kysely';
import { addMonths, DAY_MS, startOfDay, startOfWeek } from './periods.js';

const WEEK_MS = 7 * DAY_MS;

export interface Slices {
  hours: Array<[number, number]>;
  days: Array<[number, number]>;
  weeks: number[];
  months: number[];
}

/** Which coarse grains the table being read keeps (days always). */
export interface Grains {
  months: boolean;
  weeks: boolean;
}

/** Whole weeks inside the day range [from, to), and the days left at either end. */
function splitDays(from: number, to: number, weeks: boolean, out: Slices): void {
  if (to <= from) return;
  const firstWeek = startOfWeek(from) === from ? from : startOfWeek(from) + WEEK_MS;
  if (!weeks || firstWeek + WEEK_MS > to) {
    out.days.push([from, to]);
    return;
  }
  if (from < firstWeek) out.days.push([from, firstWeek]);
  let w = firstWeek;
  while (w + WEEK_MS <= to) {
    out.weeks.push(w);
    w += WEEK_MS;
  }
  if (w < to) out.days.push([w, to]);
}

export function sliceRange(from: number, to: number, grains: Grains): Slices {
  const out: Slices = { hours: [], days: [], weeks: [], months: [] };
  if (to <= from) return out;
  const dayFrom = startOfDay(from) === from ? from : startOfDay(from) + DAY_MS;
  const dayTo = startOfDay(to);
  if (dayFrom >= dayTo) {
    out.hours.push([from, to]);
    return out;
  }
  if (from < dayFrom) out.hours.push([from, dayFrom]);
  if (dayTo < to) out.hours.push([dayTo, to]);
  if (!grains.months) {
    splitDays(dayFrom, dayTo, grains.weeks, out);
    return out;
  }
  let m = addMonths(dayFrom, 0) === dayFrom ? dayFrom : addMonths(dayFrom, 1);
  const firstMonth = m;
  while (addMonths(m, 1) <= dayTo) {
    out.months.push(m);
    m = addMonths(m, 1);
  }
  if (out.months.length === 0) {
    splitDays(dayFrom, dayTo, grains.weeks, out);
    return out;
  }
  splitDays(dayFrom, firstMonth, grains.weeks, out);
  splitDays(m, dayTo, grains.weeks, out);
  return out;
}

/** One read of a day/week/month-grained table: a bucket range, or a list of bucket starts. */
export type BucketRead = { grain: 'd'; from: number; to: number } | { grain: 'w' | 'm'; buckets: number[] };

/**
 * The reads that cover [from, to) from a table with day (and optionally week/month) grains. Hour
 * edges are widened to their whole day: for callers whose periods are whole days (the breakdowns)
 * or that only need a day's worth of rows (never produced by periods.ts for those routes).
 */
export function bucketReads(from: number, to: number, grains: Grains): BucketRead[] {
  const s = sliceRange(from, to, grains);
  const reads: BucketRead[] = s.days.map(([a, b]) => ({ grain: 'd' as const, from: a, to: b }));
  for (const [a, b] of s.hours) reads.push({ grain: 'd', from: startOfDay(a), to: b });
  if (s.weeks.length > 0) reads.push({ grain: 'w', buckets: s.weeks });
  if (s.months.length > 0) reads.push({ grain: 'm', buckets: s.months });
  return reads;
}

/** The WHERE condition of one bucket read, on a table with `grain` and `bucket_start` columns. */
export function bucketCondition(r: BucketRead): RawBuilder<boolean> {
  return r.grain === 'd'
    ? sql<boolean>`grain = 'd' and bucket_start >= ${r.from} and bucket_start < ${r.to}`
    : sql<boolean>`grain = ${r.grain} and bucket_start in (${sql.join(r.buckets)})`;
}

/**
 * One select per bucket read, combined into a single UNION ALL statement: the caller groups over
 * all of them at once (outside), so rows of a value spread over months, weeks and days are summed
 * by the database instead of coming back once per read. Null when there is nothing to read.
 */
export function unionOfReads<Q extends { unionAll(other: Q): Q }>(
  reads: readonly BucketRead[],
  build: (read: BucketRead) => Q,
): Q | null {
  let out: Q | null = null;
  for (const r of reads) out = out === null ? build(r) : out.unionAll(build(r));
  return out;
}

/** True when both ends fall on UTC midnight (what the per-dimension rollups can serve). */
export function isDayAligned(from: number, to: number): boolean {
  return startOfDay(from) === from && startOfDay(to) === to;
}
