/**
 * One brand's page: its KPIs, activity series, per-source and per-affiliate figures for the
 * period, and its recent events. Rollups for the figures; the recent feed walks the newest events.
 */
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { getSummary } from './get-summary.js';
import { getTimeseries } from './get-timeseries.js';
import { affiliateTotals } from './list-affiliates.js';
import { listRecentEvents } from './list-recent-events.js';
import { addToTotals, emptyTotals, rateValues, revenueList, type Totals } from './metrics.js';
import { DAY_MS, type Period } from './periods.js';
import { readRollups } from './read-rollups.js';

function rowsOf(groups: Map<string, Totals>) {
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

export async function getBrand(
  db: Db,
  slug: string,
  period: Period,
  filters: Filters,
  settings: AnalyticsSettings,
) {
  const brand = await db.kysely
    .selectFrom('brands')
    .select(['id', 'slug', 'name', 'alias_of'])
    .where('slug', '=', slug.toLowerCase())
    .executeTakeFirst();
  if (!brand) throw new AppError('not_found', `no brand ${slug}`, { field: 'slug' });
  const f: Filters = { ...filters, brandIds: [Number(brand.alias_of ?? brand.id)] };
  const sources = await db.kysely.selectFrom('sources').select(['id', 'slug']).execute();
  const sourceSlug = new Map(sources.map((s) => [Number(s.id), s.slug]));
  const [summary, series, bySource, byAffiliate, recent] = await Promise.all([
    getSummary(db, period, f, settings),
    getTimeseries(db, period, period.granularity, f),
    readRollups(db, { ...period, filters: f, groupBy: ['source'] }),
    affiliateTotals(db, period, f),
    listRecentEvents(
      db,
      {
        from: period.to - 400 * DAY_MS,
        to: period.to,
        brandIds: f.brandIds,
        sourceIds: f.sourceIds,
        types: null,
        testFlags: [0, 1],
        tag: null,
      },
      15,
    ),
  ]);
  const sourceGroups = new Map<string, Totals>();
  for (const r of bySource) {
    const key = sourceSlug.get(r.sourceId) ?? String(r.sourceId);
    const t = sourceGroups.get(key) ?? emptyTotals();
    addToTotals(t, r.type, r.currency, r.count, r.amount);
    sourceGroups.set(key, t);
  }
  return {
    brand: { slug: brand.slug, name: brand.name },
    summary,
    series,
    sources: rowsOf(sourceGroups),
    affiliates: rowsOf(byAffiliate),
    recent,
  };
}
