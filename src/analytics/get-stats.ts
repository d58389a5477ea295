/**
 * Stats breakdown: one row per value of a dimension (source, tracking tag, sender, geo, sheet)
 * with the six counts and three rates, text-filtered, sorted and paged. Source rows come from
 * rollup_daily; tag/sender/geo/sheet rows from rollup_value (months, weeks, days), tag rows of
 * one affiliate from rollup_affiliate_dim. Only for a cut those rollups do not keep — a brand or
 * source filter on a tag/sender/geo/sheet breakdown, an affiliate filter on sender/geo/sheet —
 * does it read events, and then only the period's slice through the occurred_at index.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { containsPattern, type Filters, matchesNothing } from './filters.js';
import {
  addToTotals,
  type Counts,
  emptyTotals,
  rateValues,
  type Totals,
  toBigInt,
  toNumber,
} from './metrics.js';
import { readRollups } from './read-rollups.js';
import { bucketCondition, bucketReads, unionOfReads } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export const STAT_DIMENSIONS = ['source', 'tag', 'sender', 'geo', 'sheet'] as const;
export type StatDimension = (typeof STAT_DIMENSIONS)[number];
export const STAT_SORTS = [
  'key',
  'events',
  'CLICK',
  'REG',
  'FTD',
  'DEP',
  'REDEP',
  'CPA',
  'click_to_reg',
  'reg_to_ftd',
  'reg_to_cpa',
] as const;
export type StatSort = (typeof STAT_SORTS)[number];

export interface StatRow {
  key: string;
  label: string;
  events: number;
  counts: Counts;
  rates: ReturnType<typeof rateValues>;
}

export interface StatsQuery {
  from: number;
  to: number;
  dimension: StatDimension;
  filters: Filters;
  search: string | null;
  sort: StatSort;
  order: 'asc' | 'desc';
}

const DIM_COLUMN = { tag: 'tag', geo: 'geo', sender: 'origin', sheet: 'origin' } as const;

/**
 * The row of events without the value (key ''). Postbacks carry no sender or sheet (only API and
 * import traffic does), so on most installs that row is all of By Sender / By Sheet.
 */
export const NONE_LABEL: Record<StatDimension, string> = {
  source: '(no source)',
  tag: '(no tag)',
  geo: '(no country)',
  sender: '(no sender)',
  sheet: '(no sheet)',
};
const EVENT_COLUMN = { tag: 'tracking_tag', geo: 'country', sender: 'sender', sheet: 'sheet' } as const;

function total(c: Counts): number {
  return c.CLICK + c.REG + c.FTD + c.DEP + c.REDEP + c.CPA;
}

/** Every row of the breakdown, sorted (paging is the caller's). */
export async function listStatRows(db: Db, q: StatsQuery): Promise<StatRow[]> {
  return (await readStatRows(db, q)).rows;
}

/** The rows, and the totals of every row listed (what a text search narrowed the period to). */
export async function readStatRows(db: Db, q: StatsQuery): Promise<{ rows: StatRow[]; totals: Totals }> {
  const totals = emptyTotals();
  if (matchesNothing(q.filters)) return { rows: [], totals };
  const groups = new Map<string, Totals>();
  const bump = (key: string, type: string, currency: string, count: number, amount: bigint) => {
    let t = groups.get(key);
    if (!t) {
      t = emptyTotals();
      groups.set(key, t);
    }
    addToTotals(t, type, currency, count, amount);
  };
  const labels = new Map<string, string>();

  if (q.dimension === 'source') {
    const sources = await db.kysely.selectFrom('sources').select(['id', 'slug', 'name']).execute();
    const byId = new Map(sources.map((s) => [Number(s.id), s]));
    const rows = await readRollups(db, { from: q.from, to: q.to, filters: q.filters, groupBy: ['source'] });
    const needle = q.search?.toLowerCase() ?? null;
    for (const r of rows) {
      const s = byId.get(r.sourceId);
      const key = s?.slug ?? String(r.sourceId);
      if (needle && !key.toLowerCase().includes(needle) && !(s?.name ?? '').toLowerCase().includes(needle))
        continue;
      labels.set(key, s?.name ?? key);
      bump(key, r.type, r.currency, r.count, r.amount);
    }
  } else if (
    q.filters.brandIds === null &&
    q.filters.sourceIds === null &&
    (q.filters.affiliateId === null || q.dimension === 'tag')
  ) {
    const adb = withAnalyticsTables(db.kysely);
    const valueCol = q.dimension === 'sheet' ? 'value2' : 'value';
    const dim = DIM_COLUMN[q.dimension];
    const affiliateId = q.filters.affiliateId;
    // Stats periods are whole days; an hour edge (never produced by periods.ts) reads its whole day.
    const reads = bucketReads(q.from, q.to, { months: true, weeks: affiliateId === null });
    const select = [
      sql<string>`${sql.ref(valueCol)}`.as('k'),
      'type',
      'currency',
      'event_count',
      'amount_micros',
    ] as const;
    const search = q.search
      ? sql<boolean>`lower(${sql.ref(valueCol)}) like ${containsPattern(q.search)} escape '\\'`
      : sql<boolean>`true`;
    // One affiliate: its own breakdown rows; otherwise the per-value rows, without the affiliate.
    const inner = unionOfReads(reads, (r) =>
      affiliateId === null
        ? adb
            .selectFrom('rollup_value')
            .select(select)
            .where('dim', '=', dim)
            .where(bucketCondition(r))
            .where('is_test', 'in', q.filters.testFlags)
            .where(search)
        : adb
            .selectFrom('rollup_affiliate_dim')
            .select(select)
            .where('affiliate_id', '=', affiliateId)
            .where('dim', '=', dim)
            .where(bucketCondition(r))
            .where('is_test', 'in', q.filters.testFlags)
            .where(search),
    );
    if (inner !== null) {
      const rows = await adb
        .selectFrom(inner.as('u'))
        .select([
          'k',
          'type',
          'currency',
          sql<string>`sum(event_count)`.as('n'),
          sql<string>`sum(amount_micros)`.as('amount'),
        ])
        .groupBy(['k', 'type', 'currency'])
        .execute();
      for (const row of rows) bump(row.k, row.type, row.currency, toNumber(row.n), toBigInt(row.amount));
    }
  } else {
    const col = EVENT_COLUMN[q.dimension];
    let query = db.kysely
      .selectFrom('events')
      .select([
        sql<string>`coalesce(${sql.ref(col)}, '')`.as('k'),
        'type',
        sql<string>`coalesce(currency, '')`.as('currency'),
        sql<string>`count(*)`.as('n'),
        sql<string>`coalesce(sum(amount_micros), 0)`.as('amount'),
      ])
      .where('occurred_at', '>=', q.from)
      .where('occurred_at', '<', q.to)
      .where('is_test', 'in', q.filters.testFlags);
    if (q.filters.brandIds !== null) query = query.where('brand_id', 'in', q.filters.brandIds);
    if (q.filters.sourceIds !== null) query = query.where('source_id', 'in', q.filters.sourceIds);
    if (q.filters.affiliateId !== null) query = query.where('affiliate_id', '=', q.filters.affiliateId);
    if (q.search)
      query = query.where(
        sql`lower(coalesce(${sql.ref(col)}, ''))`,
        'like',
        sql`${containsPattern(q.search)} escape '\\'`,
      );
    const rows = await query.groupBy([sql`1`, 'type', sql`3`]).execute();
    for (const row of rows) bump(row.k, row.type, row.currency, toNumber(row.n), toBigInt(row.amount));
  }

  const out: StatRow[] = [];
  for (const [key, t] of groups) {
    const events = total(t.counts);
    if (events === 0) continue;
    const label = labels.get(key) ?? (key === '' ? NONE_LABEL[q.dimension] : key);
    out.push({ key, label, events, counts: t.counts, rates: rateValues(t.counts) });
    for (const type of Object.keys(t.counts) as Array<keyof Totals['counts']>)
      totals.counts[type] += t.counts[type];
    for (const [currency, amount] of t.revenue)
      totals.revenue.set(currency, (totals.revenue.get(currency) ?? 0n) + amount);
  }
  return { rows: sortStatRows(out, q.sort, q.order), totals };
}

function sortValue(r: StatRow, sort: StatSort): number | string | null {
  if (sort === 'key') return r.key;
  if (sort === 'events') return r.events;
  if (sort === 'click_to_reg' || sort === 'reg_to_ftd' || sort === 'reg_to_cpa') return r.rates[sort];
  return r.counts[sort];
}

/** Sorts by a column; nulls (undefined rates) always last; ties broken by key, ascending. */
export function sortStatRows<T extends StatRow>(rows: T[], sort: StatSort, order: 'asc' | 'desc'): T[] {
  const dir = order === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = sortValue(a, sort);
    const y = sortValue(b, sort);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}
