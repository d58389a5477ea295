/**
 * The one reader behind every count and revenue figure: totals by type and currency over a range,
 * optionally grouped by brand, source and/or time bucket, from the cheapest rollup that answers
 * exactly — rollup_daily months, weeks and days, rollup_hour for hour edges and hourly buckets,
 * rollup_hourly (which keeps the affiliate) for an affiliate filter. Never reads the events table.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import { matchesNothing } from './filters.js';
import { toBigInt, toNumber } from './metrics.js';
import { DAY_MS } from './periods.js';
import { sliceRange } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export type RollupGroup = 'brand' | 'source';

export interface RollupTotalRow {
  brandId: number;
  sourceId: number;
  /** Bucket start when grouped by time, else 0. */
  bucket: number;
  type: string;
  currency: string;
  count: number;
  amount: bigint;
  /** Latest event time in the rows read (hour precision when read from rollup_hourly). */
  lastAt: number;
}

export interface RollupRead {
  from: number;
  to: number;
  filters: Filters;
  groupBy: RollupGroup[];
  /** Group by hour or day bucket as well. */
  bucket?: 'hour' | 'day' | undefined;
}

function keyOf(r: RollupTotalRow): string {
  return `${r.brandId}|${r.sourceId}|${r.bucket}|${r.type}|${r.currency}`;
}

/** Reads totals for a range, summed over whatever rollup slices it took to cover it. */
export async function readRollups(db: Db, q: RollupRead): Promise<RollupTotalRow[]> {
  if (matchesNothing(q.filters) || q.to <= q.from) return [];
  const useHourly = q.filters.affiliateId !== null || q.bucket === 'hour';
  const parts: RollupTotalRow[][] = [];
  if (useHourly) parts.push(await readHourly(db, q, q.from, q.to));
  else {
    const coarse = q.bucket === undefined;
    const slices = sliceRange(q.from, q.to, { months: coarse, weeks: coarse });
    for (const [a, b] of slices.hours) parts.push(await readHourly(db, q, a, b));
    for (const [a, b] of slices.days) parts.push(await readDaily(db, q, 'd', a, b, null));
    if (slices.weeks.length > 0) parts.push(await readDaily(db, q, 'w', 0, 0, slices.weeks));
    if (slices.months.length > 0) parts.push(await readDaily(db, q, 'm', 0, 0, slices.months));
  }
  if (parts.length === 1) return parts[0] ?? [];
  const merged = new Map<string, RollupTotalRow>();
  for (const rows of parts) {
    for (const r of rows) {
      const k = keyOf(r);
      const seen = merged.get(k);
      if (!seen) merged.set(k, { ...r });
      else {
        seen.count += r.count;
        seen.amount += r.amount;
        seen.lastAt = Math.max(seen.lastAt, r.lastAt);
      }
    }
  }
  return [...merged.values()];
}

async function readHourly(db: Db, q: RollupRead, from: number, to: number): Promise<RollupTotalRow[]> {
  const f = q.filters;
  const bucketExpr =
    q.bucket === 'hour'
      ? sql<number>`hour_start`
      : q.bucket === 'day'
        ? sql<number>`(hour_start - (hour_start % ${sql.lit(DAY_MS)}))`
        : sql<number>`0`;
  // The affiliate is only kept by rollup_hourly; without that filter the far smaller rollup_hour answers.
  const table = f.affiliateId !== null ? 'rollup_hourly' : 'rollup_hour';
  let query = withAnalyticsTables(db.kysely)
    .selectFrom(table)
    .select([
      q.groupBy.includes('brand') ? 'brand_id' : sql<number>`0`.as('brand_id'),
      q.groupBy.includes('source') ? 'source_id' : sql<number>`0`.as('source_id'),
      bucketExpr.as('bucket'),
      'type',
      'currency',
      sql<string>`sum(event_count)`.as('n'),
      sql<string>`sum(amount_micros)`.as('amount'),
      sql<number>`max(hour_start)`.as('last_at'),
    ])
    .where('hour_start', '>=', from)
    .where('hour_start', '<', to)
    .where('is_test', 'in', f.testFlags);
  if (f.affiliateId !== null) query = query.where(sql.ref('affiliate_id'), '=', f.affiliateId);
  if (f.brandIds !== null) query = query.where('brand_id', 'in', f.brandIds);
  if (f.sourceIds !== null) query = query.where('source_id', 'in', f.sourceIds);
  const rows = await query.groupBy([sql`1`, sql`2`, sql`3`, 'type', 'currency']).execute();
  return rows.map((r) => ({
    brandId: toNumber(r.brand_id),
    sourceId: toNumber(r.source_id),
    bucket: toNumber(r.bucket),
    type: r.type,
    currency: r.currency,
    count: toNumber(r.n),
    amount: toBigInt(r.amount),
    lastAt: toNumber(r.last_at),
  }));
}

async function readDaily(
  db: Db,
  q: RollupRead,
  grain: 'd' | 'w' | 'm',
  from: number,
  to: number,
  months: number[] | null,
): Promise<RollupTotalRow[]> {
  const f = q.filters;
  const adb = withAnalyticsTables(db.kysely);
  let query = adb
    .selectFrom('rollup_daily')
    .select([
      q.groupBy.includes('brand') ? 'brand_id' : sql<number>`0`.as('brand_id'),
      q.groupBy.includes('source') ? 'source_id' : sql<number>`0`.as('source_id'),
      q.bucket === 'day' ? 'bucket_start' : sql<number>`0`.as('bucket_start'),
      'type',
      'currency',
      sql<string>`sum(event_count)`.as('n'),
      sql<string>`sum(amount_micros)`.as('amount'),
      sql<number>`max(last_at)`.as('last_at'),
    ])
    .where('grain', '=', grain)
    .where('is_test', 'in', f.testFlags);
  query =
    months === null
      ? query.where('bucket_start', '>=', from).where('bucket_start', '<', to)
      : query.where('bucket_start', 'in', months);
  if (f.brandIds !== null) query = query.where('brand_id', 'in', f.brandIds);
  if (f.sourceIds !== null) query = query.where('source_id', 'in', f.sourceIds);
  const rows = await query.groupBy([sql`1`, sql`2`, sql`3`, 'type', 'currency']).execute();
  return rows.map((r) => ({
    brandId: toNumber(r.brand_id),
    sourceId: toNumber(r.source_id),
    bucket: toNumber(r.bucket_start),
    type: r.type,
    currency: r.currency,
    count: toNumber(r.n),
    amount: toBigInt(r.amount),
    lastAt: toNumber(r.last_at),
  }));
}
