/**
 * The event log's tag filter reads the tags that match off the events_tag index and then the rows
 * per tag; when there are too many tags it matches the substring row by row. Both ways must give
 * the same page, and the list of matching tags must follow the row filter's rules (case, `%`, `_`).
 * Before either, a page first walks the day's newest events; a walk too short to fill the page
 * must give way to the other reads, never return a page missing older matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventFilter, tagValuesMatching } from '../../src/analytics/event-filter.js';
import { listEvents } from '../../src/analytics/list-events.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

const TAGS = ['WA_one', 'wa_two', 'WAX', 'w%a', 'Promo_WA', 'other', 'WA_one', ''];

describe('the event log tag filter', () => {
  let t: TestApp;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp('event-tag-filter');
    let n = 0;
    for (const tag of [...TAGS, ...TAGS]) {
      n++;
      const params: Record<string, string> = {
        key: keyOf(t, 'cellxpert'),
        event: 'reg',
        brand: 'tags',
        affiliateid: '3',
        userid: `tag-${n}`,
      };
      if (tag !== '') params.trackingcode = tag;
      const res = await t.app.inject({ method: 'GET', url: `/postback/cellxpert?${query(params)}` });
      expect(res.statusCode, res.body).toBe(200);
    }
    // listEvents is called directly, not through a route that waits for the fold.
    await t.ctx.derived.catchUp();
  });
  afterAll(async () => t.close());

  it.each([
    ['wa_', ['WA_one', 'wa_two']],
    ['WA', ['Promo_WA', 'WA_one', 'WAX', 'wa_two']],
    ['%', ['w%a']],
    ['_wa', ['Promo_WA']],
    ['nothing', []],
  ])('lists the tags containing %s', async (text, expected) => {
    const values = await tagValuesMatching(t.ctx.db, text);
    expect([...(values ?? [])].sort()).toEqual([...expected].sort());
  });

  it('gives up listing past its limits', async () => {
    // 6 distinct tags: a walk limit of 5 is exceeded, 6 is not; 4 match "wa", a list limit of 3 is exceeded.
    expect(await tagValuesMatching(t.ctx.db, 'wa', { walk: 5 })).toBeNull();
    expect(await tagValuesMatching(t.ctx.db, 'wa', { walk: 6 })).toHaveLength(4);
    expect(await tagValuesMatching(t.ctx.db, 'wa', { values: 3 })).toBeNull();
  });

  it.each(['wa_', 'WA', '%', 'a', 'nothing'])('pages %s the same by tag list as row by row', async (text) => {
    const base: EventFilter = {
      from: now - 86_400_000,
      to: now + 86_400_000,
      brandIds: null,
      sourceIds: null,
      types: null,
      testFlags: [0, 1],
      tag: text,
    };
    const listed = await tagValuesMatching(t.ctx.db, text);
    expect(listed).not.toBeNull();
    for (const [page, pageSize] of [
      [1, 3],
      [2, 3],
      [4, 3],
      [1, 50],
    ] as const) {
      // No walk: by the tag list, and row by row.
      const byList = await listEvents(t.ctx.db, { ...base, tagValues: listed }, page, pageSize, {
        tagWalkRows: 0,
      });
      const byRow = await listEvents(t.ctx.db, { ...base, tagValues: null }, page, pageSize, {
        tagWalkRows: 0,
      });
      expect(byList).toEqual(byRow);
      expect(byRow.total).toBe(
        [...TAGS, ...TAGS].filter((tag) => tag !== '' && tag.toLowerCase().includes(text.toLowerCase()))
          .length,
      );
      // A walk over the newest 5 events finds the page or gives way (to the tag list, row by row,
      // or a list made then); one over all of them finds it; so does the default.
      for (const tagWalkRows of [5, 1_000, undefined])
        for (const tagValues of [listed, null, undefined])
          expect(await listEvents(t.ctx.db, { ...base, tagValues }, page, pageSize, { tagWalkRows })).toEqual(
            byRow,
          );
      expect(
        byList.rows.every((r) => (r.tracking_tag ?? '').toLowerCase().includes(text.toLowerCase())),
      ).toBe(true);
    }
  });
});
