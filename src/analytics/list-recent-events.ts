/**
 * The recent-events feed: the last N events across all brands (or the chosen brands and sources), newest by event
 * time. Walks the occurred_at index backwards from the end of today and stops after N rows.
 */
import type { Db } from '../db/connect.js';
import { applyEventFilter, type EventFilter, matchesNothingEvents } from './event-filter.js';
import { type EventListItem, LIST_COLUMNS, type ListEventRow, loadNames, toListItem } from './event-rows.js';

export async function listRecentEvents(db: Db, f: EventFilter, limit: number): Promise<EventListItem[]> {
  if (matchesNothingEvents(f)) return [];
  const names = await loadNames(db.kysely);
  const rows = (await applyEventFilter(db.kysely.selectFrom('events').select([...LIST_COLUMNS]), f)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()) as ListEventRow[];
  return rows.map((r) => toListItem(r, names));
}
