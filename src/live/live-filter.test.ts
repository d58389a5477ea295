import { describe, expect, it } from 'vitest';
import type { EventListItem } from '../analytics/event-rows.js';
import { liveFilterOf, liveQuery, matchesLiveFilter } from './live-filter.js';

const event: EventListItem = {
  id: 1,
  time: '2026-11-26T10:00:00.000Z',
  received_at: '2026-11-26T10:00:00.000Z',
  type: 'FTD',
  brand: 'britsino',
  source: 'referon',
  source_name: 'REFERON',
  affiliate_id: '7',
  sub_id: null,
  tracking_tag: 'WA_FR_DIM_20',
  amount: '10',
  currency: 'EUR',
  country: 'ES',
  is_test: false,
  broken_macro: null,
};

const matches = (query: Record<string, string>, e: EventListItem = event) =>
  matchesLiveFilter(liveFilterOf(liveQuery.parse(query)), e);

describe('live filter', () => {
  it('matches everything, test events included, without filters (as the events API)', () => {
    expect(matches({})).toBe(true);
    expect(matches({}, { ...event, is_test: true })).toBe(true);
  });

  it('applies brand and type lists, and the test mode', () => {
    expect(matches({ brand: 'other,britsino' })).toBe(true);
    expect(matches({ brand: 'other' })).toBe(false);
    expect(matches({ type: 'reg,ftd' })).toBe(true);
    expect(matches({ type: 'CPA' })).toBe(false);
    expect(matches({ test: 'test' })).toBe(false);
    expect(matches({ test: 'production' })).toBe(true);
    expect(matches({ test: 'production' }, { ...event, is_test: true })).toBe(false);
  });

  it('matches source and tag text case-insensitively inside slug, name or tag', () => {
    expect(matches({ source: 'REFER' })).toBe(true);
    expect(matches({ source: 'affise' })).toBe(false);
    expect(matches({ tag: 'fr_dim' })).toBe(true);
    expect(matches({ tag: 'xx' })).toBe(false);
    expect(matches({ tag: 'fr' }, { ...event, tracking_tag: null })).toBe(false);
    expect(matches({ tag: '  ' })).toBe(true);
  });

  it('refuses an unknown type, as the events API does', () => {
    expect(liveQuery.safeParse({ type: 'BOGUS' }).success).toBe(false);
  });
});
