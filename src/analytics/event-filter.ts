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
}

export function matchesNothingEvents(f: EventFilter): boolean {
  return (
    (f.brandIds !== null && f.brandIds.length === 0) ||
    (f.sourceIds !== null && f.sourceIds.length === 0) ||
    (f.types !== null && f.types.length === 0) ||
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
  if (f.tag !== null)
    q = q.where(sql`lower(tracking_tag)`, 'like', sql`${containsPattern(f.tag)} escape '\\'`);
  return q;
}
