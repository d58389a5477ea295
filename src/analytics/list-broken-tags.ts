/**
 * Broken Tags: summary cards (broken events, grouped rows, affected brands and affiliates) and one
 * row per brand × affiliate × sub-ID × macro with its event, CLICK, REG and FTD counts, a sample
 * tag and first/last seen; filters period, brand, affiliate, macro (contains) and a search over affiliate,
 * sub-ID, tag and macro. From rollup_broken (months, weeks, days); never scans events.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { detectMacro } from '../ingest/detect-macros.js';
import { containsPattern, type Filters, matchesNothing } from './filters.js';
import { toNumber } from './metrics.js';
import { bucketCondition, bucketReads, unionOfReads } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export interface BrokenTagRow {
  brand: string;
  source: string;
  affiliate_id: string;
  sub_id: string;
  macro: string;
  events: number;
  clicks: number;
  regs: number;
  ftds: number;
  sample_tag: string;
  first_seen: string;
  last_seen: string;
}

export async function listBrokenTags(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  opts: { macro: string | null; search: string | null },
) {
  const adb = withAnalyticsTables(db.kysely);
  const empty = {
    summary: { broken_events: 0, grouped_rows: 0, affected_brands: 0, affected_affiliates: 0 },
    rows: [] as BrokenTagRow[],
  };
  if (matchesNothing(filters)) return empty;
  const inner = unionOfReads(bucketReads(range.from, range.to, { months: true, weeks: true }), (r) => {
    let q = adb
      .selectFrom('rollup_broken')
      .select([
        'brand_id',
        'source_id',
        'affiliate_id',
        'sub_id',
        'macro',
        'type',
        'event_count',
        'sample_tag',
        'first_at',
        'last_at',
      ])
      .where(bucketCondition(r))
      .where('first_at', '<', range.to)
      .where('is_test', 'in', filters.testFlags);
    if (filters.brandIds !== null) q = q.where('brand_id', 'in', filters.brandIds);
    if (filters.sourceIds !== null) q = q.where('source_id', 'in', filters.sourceIds);
    if (filters.affiliateId !== null) q = q.where('affiliate_id', '=', filters.affiliateId);
    // Contains, case-insensitive: `clickid` finds `${clickId}` and `{clickid}` alike.
    if (opts.macro !== null)
      q = q.where(sql<boolean>`lower(macro) like ${containsPattern(opts.macro)} escape '\\'`);
    return q;
  });
  if (inner === null) return empty;
  const raw = await adb
    .selectFrom(inner.as('u'))
    .select([
      'brand_id',
      'source_id',
      'affiliate_id',
      'sub_id',
      'macro',
      sql<string>`sum(event_count)`.as('n'),
      sql<string>`sum(case when type = 'CLICK' then event_count else 0 end)`.as('clicks'),
      sql<string>`sum(case when type = 'REG' then event_count else 0 end)`.as('regs'),
      sql<string>`sum(case when type = 'FTD' then event_count else 0 end)`.as('ftds'),
      sql<string>`min(sample_tag)`.as('sample'),
      sql<number>`min(first_at)`.as('first_at'),
      sql<number>`max(last_at)`.as('last_at'),
    ])
    .groupBy(['brand_id', 'source_id', 'affiliate_id', 'sub_id', 'macro'])
    .execute();
  const [brands, sources] = await Promise.all([
    db.kysely.selectFrom('brands').select(['id', 'slug']).execute(),
    db.kysely.selectFrom('sources').select(['id', 'slug']).execute(),
  ]);
  const brandSlug = new Map(brands.map((b) => [Number(b.id), b.slug]));
  const sourceSlug = new Map(sources.map((s) => [Number(s.id), s.slug]));
  const groups = new Map<string, BrokenTagRow & { first: number; last: number }>();
  for (const r of raw) {
    const brand = brandSlug.get(toNumber(r.brand_id)) ?? String(r.brand_id);
    const source = sourceSlug.get(toNumber(r.source_id)) ?? String(r.source_id);
    const key = [brand, source, r.affiliate_id, r.sub_id, r.macro].join('\u0001');
    let g = groups.get(key);
    if (!g) {
      g = {
        brand,
        source,
        affiliate_id: r.affiliate_id,
        sub_id: r.sub_id,
        macro: r.macro,
        events: 0,
        clicks: 0,
        regs: 0,
        ftds: 0,
        sample_tag: r.sample,
        first_seen: '',
        last_seen: '',
        first: toNumber(r.first_at),
        last: toNumber(r.last_at),
      };
      groups.set(key, g);
    }
    g.events += toNumber(r.n);
    g.clicks += toNumber(r.clicks);
    g.regs += toNumber(r.regs);
    g.ftds += toNumber(r.ftds);
    if (r.sample < g.sample_tag) g.sample_tag = r.sample;
    g.first = Math.min(g.first, toNumber(r.first_at));
    g.last = Math.max(g.last, toNumber(r.last_at));
  }
  const needle = opts.search?.toLowerCase() ?? null;
  const rows: BrokenTagRow[] = [...groups.values()]
    .filter(
      (g) =>
        !needle ||
        [g.affiliate_id, g.sub_id, g.sample_tag, g.macro, g.brand].some((v) =>
          v.toLowerCase().includes(needle),
        ),
    )
    .map(({ first, last, ...g }) => ({
      ...g,
      first_seen: new Date(first).toISOString(),
      last_seen: new Date(last).toISOString(),
    }))
    .sort(
      (a, b) =>
        b.events - a.events ||
        (a.brand < b.brand ? -1 : a.brand > b.brand ? 1 : a.affiliate_id < b.affiliate_id ? -1 : 1),
    );
  return {
    summary: {
      broken_events: rows.reduce((a, r) => a + r.events, 0),
      grouped_rows: rows.length,
      affected_brands: new Set(rows.map((r) => r.brand)).size,
      // An affiliate id that is itself an unsubstituted macro names nobody.
      affected_affiliates: new Set(
        rows
          .filter((r) => r.affiliate_id !== '' && detectMacro(r.affiliate_id) === null)
          .map((r) => r.affiliate_id),
      ).size,
    },
    rows,
  };
}
