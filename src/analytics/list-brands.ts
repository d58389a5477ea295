/**
 * Brands page: every brand that has received events (merged aliases excluded), with its event
 * count and active sources (chips) in the period, and its last event ever, so a brand that went
 * silent shows when it last sent anything whatever the period; searchable and sortable by name,
 * events or last event. From rollup_daily (the last event from its monthly rows).
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import { toNumber } from './metrics.js';
import { readRollups } from './read-rollups.js';
import { withAnalyticsTables } from './tables.js';

export interface BrandListRow {
  slug: string;
  name: string;
  events: number;
  last_event_at: string | null;
  sources: string[];
}

export async function listBrands(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  opts: { search: string | null; sort: 'name' | 'events' | 'last_event'; order: 'asc' | 'desc' },
): Promise<BrandListRow[]> {
  let lastQuery = withAnalyticsTables(db.kysely)
    .selectFrom('rollup_daily')
    .select(['brand_id', sql<number>`max(last_at)`.as('last')])
    .where('grain', '=', 'm')
    .where('is_test', 'in', filters.testFlags);
  if (filters.sourceIds !== null && filters.sourceIds.length > 0)
    lastQuery = lastQuery.where('source_id', 'in', filters.sourceIds);
  const [brands, sources, rows, lastRows] = await Promise.all([
    db.kysely.selectFrom('brands').select(['id', 'slug', 'name']).where('alias_of', 'is', null).execute(),
    db.kysely.selectFrom('sources').select(['id', 'slug']).execute(),
    readRollups(db, { ...range, filters, groupBy: ['brand', 'source'] }),
    filters.sourceIds !== null && filters.sourceIds.length === 0
      ? Promise.resolve([])
      : lastQuery.groupBy('brand_id').execute(),
  ]);
  const lastEver = new Map(lastRows.map((r) => [toNumber(r.brand_id), toNumber(r.last)]));
  const sourceSlug = new Map(sources.map((s) => [Number(s.id), s.slug]));
  const stats = new Map<number, { events: number; last: number; sources: Set<string> }>();
  for (const r of rows) {
    const s = stats.get(r.brandId) ?? { events: 0, last: 0, sources: new Set<string>() };
    s.events += r.count;
    s.last = Math.max(s.last, r.lastAt);
    if (r.count > 0) s.sources.add(sourceSlug.get(r.sourceId) ?? String(r.sourceId));
    stats.set(r.brandId, s);
  }
  const lastOf = (id: number): string | null => {
    const at = Math.max(lastEver.get(id) ?? 0, stats.get(id)?.last ?? 0);
    return at > 0 ? new Date(at).toISOString() : null;
  };
  const needle = opts.search?.toLowerCase() ?? null;
  const out = brands
    .filter((b) => filters.brandIds === null || filters.brandIds.includes(Number(b.id)))
    .filter((b) => !needle || b.slug.includes(needle) || b.name.toLowerCase().includes(needle))
    .map((b) => {
      const s = stats.get(Number(b.id));
      return {
        slug: b.slug,
        name: b.name,
        events: s?.events ?? 0,
        last_event_at: lastOf(Number(b.id)),
        sources: s ? [...s.sources].sort() : [],
      };
    });
  const dir = opts.order === 'asc' ? 1 : -1;
  const value = (r: BrandListRow): string | number =>
    opts.sort === 'name' ? r.slug : opts.sort === 'events' ? r.events : (r.last_event_at ?? '');
  return out.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) return (x < y ? -1 : 1) * dir;
    return a.slug < b.slug ? -1 : 1;
  });
}
