/**
 * Deal Audit: one row per brand × source with REG, FTD, conversion (FTD/REG), the suspicious flag
 * (conversion above the setting's ratio with at least the minimum REG count), failed
 * notifications, orphan FTDs and rejected postbacks; "problems only"; sortable on every column.
 * Counts from rollup_daily, orphans from rollup_orphan (orphan_ftds at hour edges), rejections from the rejections table
 * (one row per distinct rejected request: retries of the same request are not counted again).
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { countFailedDeliveries } from '../notify/failed-deliveries.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { ratio, toNumber } from './metrics.js';
import { readRollups } from './read-rollups.js';
import { type BucketRead, bucketCondition, sliceRange, unionOfReads } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export const DEAL_SORTS = [
  'brand',
  'source',
  'reg',
  'ftd',
  'conversion',
  'failed_notifs',
  'orphan_ftds',
  'rejected',
] as const;
export type DealSort = (typeof DEAL_SORTS)[number];

export interface DealRow {
  brand: string;
  source: string;
  reg: number;
  ftd: number;
  conversion: number | null;
  suspicious: boolean;
  failed_notifs: number;
  orphan_ftds: number;
  rejected: number;
  problems: boolean;
}

/** Telegram deliveries that failed for good, per brand × source (keyed `brandId|sourceId`). */
export async function countFailedNotifications(
  db: Db,
  range: { from: number; to: number },
  filters: Pick<Filters, 'testFlags' | 'affiliateId'>,
): Promise<Map<string, number>> {
  return countFailedDeliveries(db, range, filters);
}

/**
 * Orphan FTDs per brand × source (keyed `brandId|sourceId`) over [from, to): whole days, weeks and
 * months from rollup_orphan in one statement, hour edges (a custom range) from orphan_ftds.
 */
export async function countOrphans(
  db: Db,
  range: { from: number; to: number },
  testFlags: readonly number[],
): Promise<Map<string, number>> {
  const adb = withAnalyticsTables(db.kysely);
  const out = new Map<string, number>();
  const add = (rows: ReadonlyArray<{ brand_id: unknown; source_id: unknown; n: unknown }>) => {
    for (const r of rows) {
      const k = `${toNumber(r.brand_id)}|${toNumber(r.source_id)}`;
      out.set(k, (out.get(k) ?? 0) + toNumber(r.n));
    }
  };
  const slices = sliceRange(range.from, range.to, { months: true, weeks: true });
  const reads: BucketRead[] = slices.days.map(([a, b]) => ({ grain: 'd' as const, from: a, to: b }));
  if (slices.weeks.length > 0) reads.push({ grain: 'w', buckets: slices.weeks });
  if (slices.months.length > 0) reads.push({ grain: 'm', buckets: slices.months });
  const counted = unionOfReads(reads, (r) =>
    adb
      .selectFrom('rollup_orphan')
      .select(['brand_id', 'source_id', 'orphan_count'])
      .where(bucketCondition(r))
      .where('is_test', 'in', [...testFlags]),
  );
  if (counted !== null)
    add(
      await adb
        .selectFrom(counted.as('u'))
        .select(['brand_id', 'source_id', sql<string>`sum(orphan_count)`.as('n')])
        .groupBy(['brand_id', 'source_id'])
        .execute(),
    );
  for (const [a, b] of slices.hours)
    add(
      await adb
        .selectFrom('orphan_ftds')
        .select(['brand_id', 'source_id', sql<string>`count(*)`.as('n')])
        .where('occurred_at', '>=', a)
        .where('occurred_at', '<', b)
        .where('is_test', 'in', [...testFlags])
        .groupBy(['brand_id', 'source_id'])
        .execute(),
    );
  return out;
}

export async function listDeals(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  settings: AnalyticsSettings,
  opts: { problemsOnly: boolean; sort: DealSort; order: 'asc' | 'desc' },
): Promise<DealRow[]> {
  const [brands, sources] = await Promise.all([
    db.kysely.selectFrom('brands').select(['id', 'slug', 'alias_of']).execute(),
    db.kysely.selectFrom('sources').select(['id', 'slug']).execute(),
  ]);
  const brandSlug = new Map(brands.map((b) => [Number(b.id), b.slug]));
  const brandBySlug = new Map(brands.map((b) => [b.slug, Number(b.alias_of ?? b.id)]));
  const sourceSlug = new Map(sources.map((s) => [Number(s.id), s.slug]));
  const rows = new Map<string, DealRow & { brandId: number; sourceId: number }>();
  const rowOf = (brandId: number, sourceId: number) => {
    const key = `${brandId}|${sourceId}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        brandId,
        sourceId,
        brand: brandSlug.get(brandId) ?? String(brandId),
        source: sourceSlug.get(sourceId) ?? String(sourceId),
        reg: 0,
        ftd: 0,
        conversion: null,
        suspicious: false,
        failed_notifs: 0,
        orphan_ftds: 0,
        rejected: 0,
        problems: false,
      };
      rows.set(key, r);
    }
    return r;
  };
  const inScope = (brandId: number, sourceId: number) =>
    (filters.brandIds === null || filters.brandIds.includes(brandId)) &&
    (filters.sourceIds === null || filters.sourceIds.includes(sourceId));

  for (const r of await readRollups(db, { ...range, filters, groupBy: ['brand', 'source'] })) {
    if (r.type !== 'REG' && r.type !== 'FTD') {
      if (r.count > 0) rowOf(r.brandId, r.sourceId);
      continue;
    }
    const row = rowOf(r.brandId, r.sourceId);
    if (r.type === 'REG') row.reg += r.count;
    else row.ftd += r.count;
  }

  if (filters.affiliateId === null) {
    for (const [k, n] of await countOrphans(db, range, filters.testFlags)) {
      const [b, s] = k.split('|').map(Number) as [number, number];
      if (inScope(b, s)) rowOf(b, s).orphan_ftds += n;
    }
    const rejected = await db.kysely
      .selectFrom('rejections')
      .select(['brand_slug', 'source_id', sql<string>`count(*)`.as('n')])
      .where('last_seen_at', '>=', range.from)
      .where('last_seen_at', '<', range.to)
      .where('brand_slug', 'is not', null)
      .where('source_id', 'is not', null)
      .groupBy(['brand_slug', 'source_id'])
      .execute();
    for (const r of rejected) {
      const b = brandBySlug.get((r.brand_slug ?? '').trim().toLowerCase());
      const s = toNumber(r.source_id);
      if (b !== undefined && inScope(b, s)) rowOf(b, s).rejected += toNumber(r.n);
    }
  }
  const failed = await countFailedNotifications(db, range, filters);

  const out: DealRow[] = [];
  for (const r of rows.values()) {
    r.failed_notifs = failed.get(`${r.brandId}|${r.sourceId}`) ?? 0;
    r.conversion = ratio(r.ftd, r.reg);
    r.suspicious =
      r.conversion !== null && r.conversion > settings.suspiciousRatio && r.reg >= settings.suspiciousMinReg;
    r.problems = r.suspicious || r.orphan_ftds > 0 || r.failed_notifs > 0 || r.rejected > 0;
    if (opts.problemsOnly && !r.problems) continue;
    const { brandId: _b, sourceId: _s, ...row } = r;
    out.push(row);
  }
  return sortDeals(out, opts.sort, opts.order);
}

/**
 * Rejections in the range that no deal row can show: an unknown source, no brand, or a brand
 * never accepted (a wrong key on a new brand). Deal Audit states their number beside the table.
 * None when a brand is filtered (they have no brand); with a source filter, that source's only.
 */
export async function countUnattributedRejections(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
): Promise<number> {
  if (filters.brandIds !== null || filters.affiliateId !== null) return 0;
  if (filters.sourceIds !== null && filters.sourceIds.length === 0) return 0;
  const known = new Set((await db.kysely.selectFrom('brands').select('slug').execute()).map((b) => b.slug));
  let q = db.kysely
    .selectFrom('rejections')
    .select(['brand_slug', 'source_id', sql<string>`count(*)`.as('n')])
    .where('last_seen_at', '>=', range.from)
    .where('last_seen_at', '<', range.to);
  if (filters.sourceIds !== null) q = q.where('source_id', 'in', filters.sourceIds);
  let n = 0;
  for (const r of await q.groupBy(['brand_slug', 'source_id']).execute()) {
    const slug = (r.brand_slug ?? '').trim().toLowerCase();
    if (r.source_id === null || slug === '' || !known.has(slug)) n += toNumber(r.n);
  }
  return n;
}

export function sortDeals(rows: DealRow[], sort: DealSort, order: 'asc' | 'desc'): DealRow[] {
  const dir = order === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a[sort];
    const y = b[sort];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    }
    return a.brand === b.brand ? (a.source < b.source ? -1 : 1) : a.brand < b.brand ? -1 : 1;
  });
}
