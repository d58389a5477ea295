/**
 * The event log, newest first (occurred_at, then id), 50 a page, with the exact total and a page
 * window. Deep pages do not degrade: the total and the position of a page come from rollup
 * counts — the newest days one by one, older days as one span (months, weeks, days) that is split
 * into days and hours only when a page falls there — so a page's rows are read with an OFFSET
 * inside one hour at most.
 * With a tracking-tag filter the per-day counts come from rollup_value; with a tag filter combined
 * with brand or source filters (a cut no rollup keeps) the total is counted from the events of
 * the range, up to COUNT_CAP, and reported as a lower bound.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import {
  applyEventFilter,
  type EventFilter,
  matchesNothingEvents,
  tagValuesMatching,
} from './event-filter.js';
import { type EventListItem, LIST_COLUMNS, type ListEventRow, loadNames, toListItem } from './event-rows.js';
import { containsPattern } from './filters.js';
import { toNumber } from './metrics.js';
import { DAY_MS, HOUR_MS, startOfDay } from './periods.js';
import { bucketCondition, bucketReads, unionOfReads } from './rollup-ranges.js';
import { withAnalyticsTables } from './tables.js';

export const PAGE_SIZE = 50;
/** Days counted one by one up front (newest first); older ones are one 'span' until a page falls there. */
const NEWEST_DAYS = 7;
export const COUNT_CAP = 100_000;
const WINDOW = 7;

export interface EventPage {
  page: number;
  page_size: number;
  total: number;
  total_exact: boolean;
  pages: number;
  window: number[];
  rows: EventListItem[];
}

/** A stretch of time, newest first, with the exact number of matching events in it. */
interface Segment {
  from: number;
  to: number;
  count: number;
  /**
   * 'span' (whole days, counted at once from month/week/day rollups) splits into its days, and a
   * 'day' into hours from rollup_hour (without a tag filter); 'hour' and 'exact' are read as is.
   */
  kind: 'span' | 'day' | 'hour' | 'exact';
}

export function pageWindow(page: number, pages: number): number[] {
  if (pages === 0) return [];
  let start = Math.max(1, page - Math.floor(WINDOW / 2));
  const end = Math.min(pages, start + WINDOW - 1);
  start = Math.max(1, end - WINDOW + 1);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

async function countEvents(db: Db, f: EventFilter, from: number, to: number, cap: number): Promise<number> {
  const inner = applyEventFilter(db.kysely.selectFrom('events').select(sql`1`.as('one')), f, {
    from,
    to,
  }).limit(cap);
  const row = await db.kysely
    .selectFrom(inner.as('x'))
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirst();
  return toNumber(row?.n);
}

/** Per-day counts for whole days, from rollup_daily (or rollup_value for a tag filter). */
async function dayCounts(db: Db, f: EventFilter, from: number, to: number): Promise<Map<number, number>> {
  const adb = withAnalyticsTables(db.kysely);
  const out = new Map<number, number>();
  if (to <= from) return out;
  if (f.tag === null) {
    let q = adb
      .selectFrom('rollup_daily')
      .select(['bucket_start', sql<string>`sum(event_count)`.as('n')])
      .where('grain', '=', 'd')
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .where('is_test', 'in', f.testFlags);
    if (f.brandIds !== null) q = q.where('brand_id', 'in', f.brandIds);
    if (f.sourceIds !== null) q = q.where('source_id', 'in', f.sourceIds);
    if (f.types !== null) q = q.where('type', 'in', f.types);
    for (const r of await q.groupBy('bucket_start').execute())
      out.set(toNumber(r.bucket_start), toNumber(r.n));
  } else {
    let q = adb
      .selectFrom('rollup_value')
      .select(['bucket_start', sql<string>`sum(event_count)`.as('n')])
      .where('dim', '=', 'tag')
      .where('grain', '=', 'd')
      .where('bucket_start', '>=', from)
      .where('bucket_start', '<', to)
      .where('is_test', 'in', f.testFlags)
      .where(sql`lower(value)`, 'like', sql`${containsPattern(f.tag)} escape '\\'`)
      // An absent tag is stored as '' and never matches a text filter (lower(NULL) LIKE … is not true).
      .where('value', '<>', '');
    if (f.types !== null) q = q.where('type', 'in', f.types);
    for (const r of await q.groupBy('bucket_start').execute())
      out.set(toNumber(r.bucket_start), toNumber(r.n));
  }
  return out;
}

/** The count of whole days [from, to) in one statement over month, week and day rollup rows. */
async function spanCount(db: Db, f: EventFilter, from: number, to: number): Promise<number> {
  const adb = withAnalyticsTables(db.kysely);
  const reads = bucketReads(from, to, { months: true, weeks: true });
  const byTag = f.tag;
  const byBrand = f.brandIds !== null;
  const inner =
    byTag === null
      ? unionOfReads(reads, (r) => {
          let q = adb
            .selectFrom(byBrand ? 'rollup_daily' : 'rollup_source')
            .select('event_count')
            .where(bucketCondition(r))
            .where('is_test', 'in', f.testFlags);
          if (f.brandIds !== null) q = q.where(sql.ref('brand_id'), 'in', f.brandIds);
          if (f.sourceIds !== null) q = q.where('source_id', 'in', f.sourceIds);
          if (f.types !== null) q = q.where('type', 'in', f.types);
          return q;
        })
      : unionOfReads(reads, (r) => {
          let q = adb
            .selectFrom('rollup_value')
            .select('event_count')
            .where('dim', '=', 'tag')
            .where(bucketCondition(r))
            .where('is_test', 'in', f.testFlags)
            .where(sql`lower(value)`, 'like', sql`${containsPattern(byTag)} escape '\\'`)
            .where('value', '<>', '');
          if (f.types !== null) q = q.where('type', 'in', f.types);
          return q;
        });
  if (inner === null) return 0;
  const row = await adb
    .selectFrom(inner.as('u'))
    .select(sql<string>`sum(event_count)`.as('n'))
    .executeTakeFirst();
  return toNumber(row?.n ?? 0);
}

async function hourCounts(db: Db, f: EventFilter, from: number, to: number): Promise<Map<number, number>> {
  let q = withAnalyticsTables(db.kysely)
    .selectFrom('rollup_hour')
    .select(['hour_start', sql<string>`sum(event_count)`.as('n')])
    .where('hour_start', '>=', from)
    .where('hour_start', '<', to)
    .where('is_test', 'in', f.testFlags);
  if (f.brandIds !== null) q = q.where('brand_id', 'in', f.brandIds);
  if (f.sourceIds !== null) q = q.where('source_id', 'in', f.sourceIds);
  if (f.types !== null) q = q.where('type', 'in', f.types);
  const out = new Map<number, number>();
  for (const r of await q.groupBy('hour_start').execute()) out.set(toNumber(r.hour_start), toNumber(r.n));
  return out;
}

/** Newest-first segments covering [f.from, f.to) with exact counts; null when none can be had cheaply. */
async function segmentsOf(db: Db, f: EventFilter): Promise<Segment[] | null> {
  if (f.tag !== null && (f.brandIds !== null || f.sourceIds !== null)) return null;
  const firstDay = startOfDay(f.from) === f.from ? f.from : startOfDay(f.from) + DAY_MS;
  const lastDay = startOfDay(f.to);
  const segments: Segment[] = [];
  if (firstDay >= lastDay) {
    return [
      {
        from: f.from,
        to: f.to,
        count: await countEvents(db, f, f.from, f.to, Number.MAX_SAFE_INTEGER),
        kind: 'exact',
      },
    ];
  }
  if (lastDay < f.to)
    segments.push({
      from: lastDay,
      to: f.to,
      count: await countEvents(db, f, lastDay, f.to, Number.MAX_SAFE_INTEGER),
      kind: 'exact',
    });
  const windowStart = Math.max(firstDay, lastDay - NEWEST_DAYS * DAY_MS);
  segments.push(...(await daySegments(db, f, windowStart, lastDay)));
  if (firstDay < windowStart)
    segments.push({
      from: firstDay,
      to: windowStart,
      count: await spanCount(db, f, firstDay, windowStart),
      kind: 'span',
    });
  if (f.from < firstDay)
    segments.push({
      from: f.from,
      to: firstDay,
      count: await countEvents(db, f, f.from, firstDay, Number.MAX_SAFE_INTEGER),
      kind: 'exact',
    });
  return segments.filter((s) => s.count > 0);
}

/** Day segments of whole days [from, to), newest first. */
async function daySegments(db: Db, f: EventFilter, from: number, to: number): Promise<Segment[]> {
  const days = await dayCounts(db, f, from, to);
  return [...days.keys()]
    .sort((a, b) => b - a)
    .map((day) => ({ from: day, to: day + DAY_MS, count: days.get(day) ?? 0, kind: 'day' as const }))
    .filter((d) => d.count > 0);
}

/** Splits a span into its days, or a day into its hours (newest first) when the filter allows it. */
async function refine(db: Db, f: EventFilter, s: Segment): Promise<Segment[]> {
  if (s.kind === 'span') return daySegments(db, f, s.from, s.to);
  if (s.kind !== 'day' || f.tag !== null) return [s];
  const hours = await hourCounts(db, f, s.from, s.to);
  return [...hours.keys()]
    .sort((a, b) => b - a)
    .map((h) => ({ from: h, to: h + HOUR_MS, count: hours.get(h) ?? 0, kind: 'hour' as const }))
    .filter((h) => h.count > 0);
}

/** Tags read one by one (each from its own stretch of events_tag) at most; more are sorted together. */
const PER_TAG_READS_MAX = 200;

/**
 * How many of a day's newest events a tag-filtered page first looks through, per row it needs
 * (offset + limit), within [min, max]. Past that the page is read per tag or row by row.
 */
export const TAG_WALK = { perRow: 40, min: 2_000, max: 10_000 } as const;

export interface ListOptions {
  /** A fixed number of newest events to walk for a tag-filtered page (0: never walk); for tests. */
  tagWalkRows?: number;
}

/**
 * A tag-filtered page from a walk over the stretch's newest `budget` events (by the time index),
 * keeping those whose tag matches. When at least `offset + limit` of them match, every matching
 * event outside the walk is older than all of them, so the page is exact; otherwise null (the
 * tags are too sparse there) and the caller reads another way. Dense tags cost a few thousand
 * rows this way, against one index stretch per matching tag.
 */
async function walkNewest(
  db: Db,
  f: EventFilter,
  from: number,
  to: number,
  limit: number,
  offset: number,
  budget: number,
): Promise<ListEventRow[] | null> {
  const wanted = offset + limit;
  if (f.tag === null || budget < wanted) return null;
  const newest = applyEventFilter(
    db.kysely.selectFrom('events').select([...LIST_COLUMNS]),
    { ...f, tag: null, tagValues: null },
    { from, to },
  )
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(budget);
  const tagged =
    f.tagValues && f.tagValues.length > 0
      ? sql<boolean>`tracking_tag in (${sql.join(f.tagValues)})`
      : sql<boolean>`lower(tracking_tag) like ${containsPattern(f.tag)} escape '\\'`;
  const rows = (await db.kysely
    .selectFrom(newest.as('w'))
    .selectAll()
    .where(tagged)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(wanted)
    .execute()) as ListEventRow[];
  return rows.length < wanted ? null : rows.slice(offset);
}

async function readRows(
  db: Db,
  f: EventFilter,
  from: number,
  to: number,
  limit: number,
  offset: number,
  opts: ListOptions = {},
) {
  if (f.tag !== null && to - from <= DAY_MS) {
    const budget =
      opts.tagWalkRows ?? Math.min(TAG_WALK.max, Math.max(TAG_WALK.min, TAG_WALK.perRow * (offset + limit)));
    const walked = await walkNewest(db, f, from, to, limit, offset, budget);
    if (walked !== null) return walked;
  }
  // Listed once per request, by the first read that needs the list (`f` is the request's own copy).
  if (f.tag !== null && f.tagValues === undefined) f.tagValues = await tagValuesMatching(db, f.tag);
  const byTag = f.tag !== null && f.tagValues ? f.tagValues : [];
  if (byTag.length > 0 && byTag.length <= PER_TAG_READS_MAX && to - from <= DAY_MS) {
    // With the list of matching tags, each tag's newest `offset + limit` rows of the day come off
    // events_tag in order, and the page is cut from their union. Asked for all tags at once, the
    // planner goes by statistics that treat tag and time as independent: after a day of load
    // events without those tags PostgreSQL expected 460k matches of 21k and scanned the table.
    const perTag = byTag.map((tag) =>
      db.kysely
        .selectFrom(
          applyEventFilter(
            db.kysely.selectFrom('events').select([...LIST_COLUMNS]),
            { ...f, tagValues: [tag] },
            { from, to },
          )
            .orderBy('occurred_at', 'desc')
            .orderBy('id', 'desc')
            .limit(offset + limit)
            .as('t'),
        )
        .selectAll(),
    );
    const union = perTag.slice(1).reduce((all, q) => all.unionAll(q), perTag[0] as (typeof perTag)[number]);
    return (await db.kysely
      .selectFrom(union.as('u'))
      .selectAll()
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute()) as ListEventRow[];
  }
  return (await applyEventFilter(db.kysely.selectFrom('events').select([...LIST_COLUMNS]), f, { from, to })
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute()) as ListEventRow[];
}

export async function listEvents(
  db: Db,
  f: EventFilter,
  page: number,
  pageSize = PAGE_SIZE,
  opts: ListOptions = {},
): Promise<EventPage> {
  const empty = (total: number, exact: boolean): EventPage => {
    const pages = Math.ceil(total / pageSize);
    return {
      page,
      page_size: pageSize,
      total,
      total_exact: exact,
      pages,
      window: pageWindow(page, pages),
      rows: [],
    };
  };
  if (matchesNothingEvents(f)) return empty(0, true);
  // A copy of the caller's filter: readRows fills in the list of matching tags when it needs it.
  f = { ...f };
  const names = await loadNames(db.kysely);
  const offset = (page - 1) * pageSize;

  const segments = await segmentsOf(db, f);
  if (segments === null) {
    const total = await countEvents(db, f, f.from, f.to, COUNT_CAP + 1);
    const exact = total <= COUNT_CAP;
    const rows = offset < total ? await readRows(db, f, f.from, f.to, pageSize, offset, opts) : [];
    const shown = Math.min(total, COUNT_CAP);
    const pages = Math.ceil(shown / pageSize);
    return {
      page,
      page_size: pageSize,
      total: shown,
      total_exact: exact,
      pages,
      window: pageWindow(page, pages),
      rows: rows.map((r) => toListItem(r, names)),
    };
  }

  const total = segments.reduce((a, s) => a + s.count, 0);
  if (offset >= total) return empty(total, true);
  // Find the segment holding the page's first row, narrowing a day to its hour.
  let skip = offset;
  let i = 0;
  let queue = segments;
  for (;;) {
    const s = queue[i];
    if (!s) return empty(total, true);
    if (skip < s.count) {
      if (s.kind === 'span' || s.kind === 'day') {
        const parts = await refine(db, f, s);
        queue = [...parts, ...queue.slice(i + 1)];
        i = 0;
        if (parts.length > 0 && parts[0] !== s) continue;
      }
      break;
    }
    skip -= s.count;
    i++;
  }
  const rows: ListEventRow[] = [];
  for (; i < queue.length && rows.length < pageSize; i++) {
    const s = queue[i];
    if (!s) break;
    rows.push(...(await readRows(db, f, s.from, s.to, pageSize - rows.length, skip, opts)));
    skip = 0;
  }
  const pages = Math.ceil(total / pageSize);
  return {
    page,
    page_size: pageSize,
    total,
    total_exact: true,
    pages,
    window: pageWindow(page, pages),
    rows: rows.map((r) => toListItem(r, names)),
  };
}
