/**
 * The event log's filters (brand(s), types, from/to, test mode, source text, tracking-tag text)
 * applied to a query on `events`, and resolved from the request: the source text becomes the ids
 * of the sources whose slug or name contains it. Always bounded by occurred_at, so every query
 * walks an index range, never the whole table.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { containsPattern } from './filters.js';

export interface EventFilter {
  from: number;
  to: number;
  brandIds: number[] | null;
  sourceIds: number[] | null;
  types: string[] | null;
  testFlags: number[];
  /** Case-insensitive substring of the tracking tag. */
  tag: string | null;
  /**
   * The distinct tracking tags that contain `tag`, when they were few enough to list
   * (`tagValuesMatching`): the rows are then read per tag from the events_tag index. Null: the
   * substring is matched row by row. Absent: not listed yet; the event log lists them only when
   * a page cannot be had by walking the newest events (listing costs one index probe per
   * distinct tag, tens of milliseconds with a few hundred tags).
   */
  tagValues?: string[] | null;
}

/** Distinct tags walked at most to list the matching ones; more and the filter matches row by row. */
export const TAG_WALK_MAX = 2000;
/** Matching tags listed at most; more and the filter matches row by row (matches are then dense). */
export const TAG_VALUES_MAX = 500;

export function matchesNothingEvents(f: EventFilter): boolean {
  return (
    (f.brandIds !== null && f.brandIds.length === 0) ||
    (f.sourceIds !== null && f.sourceIds.length === 0) ||
    (f.types !== null && f.types.length === 0) ||
    (f.tag !== null && f.tagValues?.length === 0) ||
    f.to <= f.from
  );
}

/** Sources whose slug or name contains the text (case-insensitive). */
export async function sourceIdsMatching(db: Db, text: string): Promise<number[]> {
  const needle = text.trim().toLowerCase();
  const rows = await db.kysely.selectFrom('sources').select(['id', 'slug', 'name']).execute();
  return rows
    .filter((r) => r.slug.toLowerCase().includes(needle) || r.name.toLowerCase().includes(needle))
    .map((r) => Number(r.id));
}

/**
 * The distinct tracking tags containing `text` (case-insensitive, as the row filter matches), read
 * off the events_tag index one probe per distinct tag (a loose index scan), or null when there are
 * more than TAG_WALK_MAX distinct tags or more than TAG_VALUES_MAX match.
 */
export async function tagValuesMatching(
  db: Db,
  text: string,
  limits: { walk?: number; values?: number } = {},
): Promise<string[] | null> {
  const walkMax = limits.walk ?? TAG_WALK_MAX;
  const valuesMax = limits.values ?? TAG_VALUES_MAX;
  const { rows } = await sql<{ v: string; n: number; m: number | boolean }>`
    with recursive walk(v, n) as (
      select (select min(tracking_tag) from events where tracking_tag is not null), 1
      union all
      select (select min(tracking_tag) from events where tracking_tag > walk.v), walk.n + 1
      from walk where walk.v is not null and walk.n <= ${walkMax}
    )
    select v, n, lower(v) like ${containsPattern(text)} escape '\\' as m from walk where v is not null`.execute(
    db.kysely,
  );
  if (rows.some((r) => Number(r.n) > walkMax)) return null;
  const matching = rows.filter((r) => r.m === true || Number(r.m) === 1).map((r) => r.v);
  return matching.length > valuesMax ? null : matching;
}

export function applyEventFilter<O>(
  query: SelectQueryBuilder<Database, 'events', O>,
  f: EventFilter,
  range: { from: number; to: number } = f,
): SelectQueryBuilder<Database, 'events', O> {
  let q = query
    .where('occurred_at', '>=', Math.max(range.from, f.from))
    .where('occurred_at', '<', Math.min(range.to, f.to))
    .where('is_test', 'in', f.testFlags);
  if (f.brandIds !== null) q = q.where('brand_id', 'in', f.brandIds);
  if (f.sourceIds !== null) q = q.where('source_id', 'in', f.sourceIds);
  if (f.types !== null) q = q.where('type', 'in', f.types);
  if (f.tag !== null && f.tagValues && f.tagValues.length > 0) q = q.where('tracking_tag', 'in', f.tagValues);
  else if (f.tag !== null)
    q = q.where(sql`lower(tracking_tag)`, 'like', sql`${containsPattern(f.tag)} escape '\\'`);
  return q;
}
