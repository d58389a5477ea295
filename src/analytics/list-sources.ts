/**
 * Sources page: one card per registered source with its health status, events, CLICK/REG/FTD/CPA,
 * CPA revenue per currency, the rates, its last event in the period and a small trend (events per
 * bucket of the period). From rollup_daily / rollup_hourly, in one read: the totals are the sums
 * of the trend's buckets, so the period is not read twice.
 */
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { getSourceHealth } from './get-source-health.js';
import { addToTotals, emptyTotals, rates, revenueList, type Totals } from './metrics.js';
import { bucketStarts, type Granularity } from './periods.js';
import { readRollups } from './read-rollups.js';

export async function listSources(
  db: Db,
  range: { from: number; to: number },
  granularity: Granularity,
  filters: Filters,
  settings: AnalyticsSettings,
  now: number,
) {
  const [health, trendRows, sources] = await Promise.all([
    getSourceHealth(db, now),
    readRollups(db, { ...range, filters, groupBy: ['source'], bucket: granularity }),
    db.kysely.selectFrom('sources').select(['id', 'slug']).execute(),
  ]);
  const slugOf = new Map(sources.map((s) => [Number(s.id), s.slug]));
  const totals = new Map<string, Totals & { last: number }>();
  for (const r of trendRows) {
    const slug = slugOf.get(r.sourceId) ?? String(r.sourceId);
    const t = totals.get(slug) ?? { ...emptyTotals(), last: 0 };
    addToTotals(t, r.type, r.currency, r.count, r.amount);
    if (r.count > 0) t.last = Math.max(t.last, r.lastAt);
    totals.set(slug, t);
  }
  const buckets = bucketStarts(range.from, range.to, granularity);
  const trend = new Map<string, Map<number, number>>();
  for (const r of trendRows) {
    const slug = slugOf.get(r.sourceId) ?? String(r.sourceId);
    const m = trend.get(slug) ?? new Map<number, number>();
    m.set(r.bucket, (m.get(r.bucket) ?? 0) + r.count);
    trend.set(slug, m);
  }
  return health
    .filter(
      (h) =>
        filters.sourceIds === null ||
        sources.some((s) => s.slug === h.source && filters.sourceIds?.includes(Number(s.id))),
    )
    .map((h) => {
      const t = totals.get(h.source) ?? { ...emptyTotals(), last: 0 };
      const c = t.counts;
      const m = trend.get(h.source);
      return {
        source: h.source,
        name: h.name,
        status: h.status,
        lag_minutes: h.lag_minutes,
        events: c.CLICK + c.REG + c.FTD + c.DEP + c.REDEP + c.CPA,
        counts: c,
        revenue: revenueList(t.revenue),
        rates: rates(c, settings.thresholds),
        last_event_at: t.last > 0 ? new Date(t.last).toISOString() : null,
        trend: buckets.map((b) => ({ t: new Date(b).toISOString(), events: m?.get(b) ?? 0 })),
      };
    });
}
