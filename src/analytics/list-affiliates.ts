/**
 * Affiliates page: one row per affiliate with every count, CPA revenue per currency and the rates.
 * From rollup_affiliate (months, weeks, days); with a brand or source filter, for the affiliates
 * found there, from rollup_hourly, the one rollup that keeps the affiliate with brand and source.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { detectMacro } from '../ingest/detect-macros.js';
import { type Filters, matchesNothing } from './filters.js';
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

export interface AffiliateRow {
  affiliate_id: string;
  /** The unsubstituted macro the id is (`{affiliate_id}`): a broken postback URL, no affiliate. */
  unresolved_macro: string | null;
  events: number;
  counts: Counts;
  revenue: Money[];
  rates: ReturnType<typeof rateValues>;
}

export async function affiliateTotals(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
): Promise<Map<string, Totals>> {
  const out = new Map<string, Totals>();
  if (matchesNothing(filters)) return out;
  const bump = (aff: string, type: string, currency: string, n: unknown, amount: unknown) => {
    let t = out.get(aff);
    if (!t) {
      t = emptyTotals();
      out.set(aff, t);
    }
    addToTotals(t, type, currency, toNumber(n), toBigInt(amount));
  };
  const adb = withAnalyticsTables(db.kysely);
  const inner = unionOfReads(bucketReads(range.from, range.to, { months: true, weeks: true }), (r) => {
    let q = adb
      .selectFrom('rollup_affiliate')
      .select(['affiliate_id', 'type', 'currency', 'event_count', 'amount_micros'])
      .where(bucketCondition(r))
      .where('is_test', 'in', filters.testFlags);
    if (filters.affiliateId !== null) q = q.where('affiliate_id', '=', filters.affiliateId);
    return q;
  });
  if (inner === null) return out;
  const rows = await adb
    .selectFrom(inner.as('u'))
    .select([
      'affiliate_id',
      'type',
      'currency',
      sql<string>`sum(event_count)`.as('n'),
      sql<string>`sum(amount_micros)`.as('amount'),
    ])
    .groupBy(['affiliate_id', 'type', 'currency'])
    .execute();
  if (filters.brandIds === null && filters.sourceIds === null) {
    for (const row of rows) bump(row.affiliate_id, row.type, row.currency, row.n, row.amount);
    return out;
  }
  // By brand or source: rollup_hourly, keyed by affiliate first, read for the affiliates the
  // period has (a lookup per affiliate instead of a scan of every hour of every affiliate).
  const ids = [...new Set(rows.map((r) => r.affiliate_id))];
  for (let i = 0; i < ids.length; i += 500) {
    let q = db.kysely
      .selectFrom('rollup_hourly')
      .select([
        'affiliate_id',
        'type',
        'currency',
        sql<string>`sum(event_count)`.as('n'),
        sql<string>`sum(amount_micros)`.as('amount'),
      ])
      .where('affiliate_id', 'in', ids.slice(i, i + 500))
      .where('hour_start', '>=', range.from)
      .where('hour_start', '<', range.to)
      .where('is_test', 'in', filters.testFlags);
    if (filters.brandIds !== null) q = q.where('brand_id', 'in', filters.brandIds);
    if (filters.sourceIds !== null) q = q.where('source_id', 'in', filters.sourceIds);
    for (const row of await q.groupBy(['affiliate_id', 'type', 'currency']).execute())
      bump(row.affiliate_id, row.type, row.currency, row.n, row.amount);
  }
  return out;
}

export async function listAffiliates(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  search: string | null,
): Promise<AffiliateRow[]> {
  const totals = await affiliateTotals(db, range, filters);
  const needle = search?.toLowerCase() ?? null;
  const rows: AffiliateRow[] = [];
  for (const [id, t] of totals) {
    if (needle && !id.toLowerCase().includes(needle)) continue;
    const c = t.counts;
    const events = c.CLICK + c.REG + c.FTD + c.DEP + c.REDEP + c.CPA;
    if (events === 0) continue;
    rows.push({
      affiliate_id: id,
      unresolved_macro: id === '' ? null : detectMacro(id),
      events,
      counts: c,
      revenue: revenueList(t.revenue),
      rates: rateValues(c),
    });
  }
  return rows.sort((a, b) => b.events - a.events || (a.affiliate_id < b.affiliate_id ? -1 : 1));
}
