/**
 * The one reader behind every count and revenue figure: totals by type and currency over a range,
 * optionally grouped by brand, source and/or time bucket, from the cheapest rollup that answers
 * exactly — rollup_daily (or rollup_source, without brands) months, weeks and days in one
 * statement, rollup_hour for hour edges and hourly buckets, rollup_hourly (which keeps the
 * affiliate) for an affiliate filter. Never reads the events table.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import { matchesNothing } from './filters.js';
import { toBigInt, toNumber } from './metrics.js';
import { DAY_MS } from './periods.js';
import { type BucketRead, bucketCondition, sliceRange, unionOfReads } from './rollup-ranges.js';
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
    const reads: BucketRead[] = slices.days.map(([a, b]) => ({ grain: 'd' as const, from: a, to: b }));
    if (slices.weeks.length > 0) reads.push({ grain: 'w', buckets: slices.weeks });
    if (slices.months.length > 0) reads.push({ grain: 'm', buckets: slices.months });
    if (reads.length > 0) parts.push(await readDaily(db, q, reads));
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

/**
 * Days, weeks and months in one statement (UNION ALL, grouped once): from rollup_source when no
 * brand is filtered or grouped by (a tenth of the rows), else from rollup_daily.
 */
async function readDaily(db: Db, q: RollupRead, reads: BucketRead[]): Promise<RollupTotalRow[]> {
  const f = q.filters;
  const adb = withAnalyticsTables(db.kysely);
  const byBrand = f.brandIds !== null || q.groupBy.includes('brand');
  const table = byBrand ? 'rollup_daily' : 'rollup_source';
  const inner = unionOfReads(reads, (r) => {
    let query = adb
      .selectFrom(table)
      .select([
        byBrand ? sql<number>`brand_id`.as('brand_id') : sql<number>`0`.as('brand_id'),
        'source_id',
        'bucket_start',
        'type',
        'currency',
        'event_count',
        'amount_micros',
        'last_at',
      ])
      .where(bucketCondition(r))
      .where('is_test', 'in', f.testFlags);
    if (f.brandIds !== null) query = query.where(sql.ref('brand_id'), 'in', f.brandIds);
    if (f.sourceIds !== null) query = query.where('source_id', 'in', f.sourceIds);
    return query;
  });
  if (inner === null) return [];
  const rows = await adb
    .selectFrom(inner.as('u'))
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
    .groupBy([sql`1`, sql`2`, sql`3`, 'type', 'currency'])
    .execute();
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
