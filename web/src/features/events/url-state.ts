/** The event log's URL: filters, page and the open event (so a detail panel is a link too). */
import { z } from 'zod';
import { EVENT_TYPES } from '../../lib/event-types';
import { dateParam, enumParam, listParam, pageParam, slugParam, textParam } from '../../lib/url-state';

export const TEST_MODES = ['all', 'production', 'test'] as const;

export const eventsSearch = z.object({
  brand: slugParam(),
  type: listParam(EVENT_TYPES),
  from: dateParam(),
  to: dateParam(),
  test: enumParam(TEST_MODES, 'all'),
  source: textParam(64),
  tag: textParam(200),
  page: pageParam(),
  event: z.coerce.number().int().min(1).optional().catch(undefined),
});
export type EventsSearch = z.output<typeof eventsSearch>;

/** The filters as the API takes them (the export takes the same). */
export function eventsApiParams(s: EventsSearch) {
  return {
    brand: s.brand,
    type: s.type,
    from: s.from,
    to: s.to,
    test: s.test,
    source: s.source,
    tag: s.tag,
  };
}

export function activeFilterCount(s: EventsSearch): number {
  return [s.brand, s.type.length > 0, s.from, s.to, s.test !== 'all', s.source, s.tag].filter(Boolean).length;
}

export const CLEARED = {
  brand: undefined,
  type: [],
  from: undefined,
  to: undefined,
  test: 'all',
  source: undefined,
  tag: undefined,
  page: 1,
} as const;
