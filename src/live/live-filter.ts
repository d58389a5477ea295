/**
 * What one live-stream client wants to see: the events API's own filter names (brand, type, test,
 * source, tag), parsed with the same contract and matched in memory against event rows as the
 * stream hands them out. Matching is by slug and text, never by id resolved at connect time, so a
 * brand created after the client connected (its first postback) still matches.
 */
import type { z } from 'zod';
import type { EventListItem } from '../analytics/event-rows.js';
import { eventsQuery } from '../contracts/analytics.js';

/** `GET /api/v1/live` query: the event log's filters, minus its range and paging. */
export const liveQuery = eventsQuery.pick({ brand: true, type: true, test: true, source: true, tag: true });
export type LiveQuery = z.output<typeof liveQuery>;

export interface LiveFilter {
  brands: Set<string> | null;
  types: Set<string> | null;
  test: 'production' | 'test' | 'all';
  /** Lower-cased text the source's slug or name must contain (as the event log's source filter). */
  source: string | null;
  /** Lower-cased text the tracking tag must contain. */
  tag: string | null;
}

export function liveFilterOf(q: LiveQuery): LiveFilter {
  const source = q.source?.trim().toLowerCase();
  const tag = q.tag?.trim().toLowerCase();
  return {
    brands: q.brand && q.brand.length > 0 ? new Set(q.brand.map((b) => b.toLowerCase())) : null,
    types: q.type && q.type.length > 0 ? new Set(q.type) : null,
    test: q.test,
    source: source ? source : null,
    tag: tag ? tag : null,
  };
}

export function matchesLiveFilter(f: LiveFilter, e: EventListItem): boolean {
  if (f.test === 'production' && e.is_test) return false;
  if (f.test === 'test' && !e.is_test) return false;
  if (f.brands !== null && !f.brands.has(e.brand.toLowerCase())) return false;
  if (f.types !== null && !f.types.has(e.type)) return false;
  if (
    f.source !== null &&
    !e.source.toLowerCase().includes(f.source) &&
    !e.source_name.toLowerCase().includes(f.source)
  )
    return false;
  if (f.tag !== null && !(e.tracking_tag ?? '').toLowerCase().includes(f.tag)) return false;
  return true;
}
