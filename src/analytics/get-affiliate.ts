/**
 * One affiliate: totals, and the same figures by brand (rollup_hourly via its affiliate index),
 * by sub-ID and by tracking tag (rollup_affiliate_dim). Never scans events.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import {
  addToTotals,
  type Counts,
  emptyTotals,
  type Money,
  rateValues,
  revenueList,
  type Totals,
  toBigInt,
  toNumber,
} from './metrics.js';
import { bucketCondition, bucketReads, unionOfReads } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export interface AffiliateBreakdownRow {
  key: string;
  events: number;
  counts: Counts;
  revenue: Money[];
  rates: ReturnType<typeof rateValues>;
}

function rowsOf(groups: Map<string, Totals>): AffiliateBreakdownRow[] {
  return [...groups.entries()]
    .map(([key, t]) => {
      const c = t.counts;
      return {
        key,
        events: c.CLICK + c.REG + c.FTD + c.DEP + c.REDEP + c.CPA,
        counts: c,
        revenue: revenueList(t.revenue),
        rates: rateValues(c),
      };
    })
    .filter((r) => r.events > 0)
    .sort((a, b) => b.events - a.events || (a.key < b.key ? -1 : 1));
}

function bumper(groups: Map<string, Totals>) {
  return (key: string, type: string, currency: string, n: unknown, amount: unknown) => {
    let t = groups.get(key);
    if (!t) {
      t = emptyTotals();
      groups.set(key, t);
    }
    addToTotals(t, type, currency, toNumber(n), toBigInt(amount));
  };
}

export async function getAffiliate(
  db: Db,
  affiliateId: string,
  range: { from: number; to: number },
  filters: Filters,
) {
  const byBrand = new Map<string, Totals>();
  const brands = await db.kysely.selectFrom('brands').select(['id', 'slug']).execute();
  const slug = new Map(brands.map((b) => [Number(b.id), b.slug]));
  let hq = db.kysely
    .selectFrom('rollup_hourly')
    .select([
      'brand_id',
      'type',
      'currency',
      sql<string>`sum(event_count)`.as('n'),
      sql<string>`sum(amount_micros)`.as('amount'),
    ])
    .where('affiliate_id', '=', affiliateId)
    .where('hour_start', '>=', range.from)
    .where('hour_start', '<', range.to)
    .where('is_test', 'in', filters.testFlags);
  if (filters.brandIds !== null) hq = hq.where('brand_id', 'in', filters.brandIds);
  if (filters.sourceIds !== null) hq = hq.where('source_id', 'in', filters.sourceIds);
  const bumpBrand = bumper(byBrand);
  const total = emptyTotals();
  for (const r of await hq.groupBy(['brand_id', 'type', 'currency']).execute()) {
    bumpBrand(slug.get(toNumber(r.brand_id)) ?? String(r.brand_id), r.type, r.currency, r.n, r.amount);
    addToTotals(total, r.type, r.currency, toNumber(r.n), toBigInt(r.amount));
  }

  const bySub = new Map<string, Totals>();
  const byTag = new Map<string, Totals>();
  const adb = withAnalyticsTables(db.kysely);
  const bumpSub = bumper(bySub);
  const bumpTag = bumper(byTag);
  const inner = unionOfReads(bucketReads(range.from, range.to, { months: true, weeks: false }), (r) =>
    adb
      .selectFrom('rollup_affiliate_dim')
      .select(['dim', 'value', 'type', 'currency', 'event_count', 'amount_micros'])
      .where('affiliate_id', '=', affiliateId)
      .where('dim', 'in', ['sub', 'tag'])
      .where(bucketCondition(r))
      .where('is_test', 'in', filters.testFlags),
  );
  const rows =
    inner === null
      ? []
      : await adb
          .selectFrom(inner.as('u'))
          .select([
            'dim',
            'value',
            'type',
            'currency',
            sql<string>`sum(event_count)`.as('n'),
            sql<string>`sum(amount_micros)`.as('amount'),
          ])
          .groupBy(['dim', 'value', 'type', 'currency'])
          .execute();
  for (const row of rows)
    (row.dim === 'sub' ? bumpSub : bumpTag)(row.value, row.type, row.currency, row.n, row.amount);
  const c = total.counts;
  return {
    affiliate_id: affiliateId,
    events: c.CLICK + c.REG + c.FTD + c.DEP + c.REDEP + c.CPA,
    counts: c,
    revenue: revenueList(total.revenue),
    rates: rateValues(c),
    by_brand: rowsOf(byBrand),
    by_sub_id: rowsOf(bySub),
    by_tag: rowsOf(byTag),
  };
}
