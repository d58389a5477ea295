/**
 * Which events reach which bot: the scope table through the real ingest path (postbacks in, outbox
 * rows out, written in the same transaction as the events), duplicates creating no second
 * delivery, and no outbox rows at all when no bot is configured. The sender is not running here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOf, query } from '../helpers/test-app.js';
import { event, type NotifyApp, startNotifyApp } from './notify-helpers.js';

let n: NotifyApp;
beforeAll(async () => {
  n = await startNotifyApp('notify-scope', {}, { startSender: false });
});
afterAll(async () => n.close());

describe('without bots', () => {
  it('writes no delivery for an accepted event', async () => {
    expect(await n.post(event())).not.toBeNull();
    expect(await n.deliveries()).toEqual([]);
  });
});

describe('scope matching through ingest', () => {
  const bots: Record<string, number> = {};
  const cases: Array<{ name: string; scope: Record<string, unknown>; active?: boolean }> = [
    { name: 'all-types', scope: { types: [] } },
    { name: 'default', scope: {} },
    { name: 'britsino', scope: { brands: ['BritSino'], types: [] } },
    { name: 'spinbet', scope: { brands: ['spinbet'], types: [] } },
    { name: 'affise-only', scope: { sources: ['affise'], types: [] } },
    { name: 'aff-77', scope: { affiliates: ['77'], types: [] } },
    { name: 'reg-only', scope: { types: ['REG'] } },
    { name: 'tests-only', scope: { testEvents: 'only', types: [] } },
    { name: 'with-tests', scope: { testEvents: 'include', types: [] } },
    { name: 'inactive', scope: { types: [] }, active: false },
  ];

  beforeAll(async () => {
    for (const c of cases) {
      bots[c.name] = await n.createBot({ name: c.name, scope: c.scope, isActive: c.active ?? true });
    }
  });

  const expected: Array<[string, Record<string, string | number>, string[]]> = [
    [
      'a live britsino FTD of affiliate 77',
      { event: 'ftd', brand: 'britsino', affiliateid: '77' },
      ['all-types', 'default', 'britsino', 'aff-77', 'with-tests'],
    ],
    [
      'a live spinbet REG of affiliate 12',
      { event: 'reg', brand: 'spinbet', affiliateid: '12' },
      ['all-types', 'default', 'spinbet', 'reg-only', 'with-tests'],
    ],
    [
      'a test britsino FTD: only bots that take test events',
      { event: 'ftd', brand: 'britsino', is_test: 1 },
      ['tests-only', 'with-tests'],
    ],
    [
      'a CLICK',
      { event: 'click', brand: 'spinbet', affiliateid: '77' },
      ['all-types', 'spinbet', 'aff-77', 'with-tests'],
    ],
    [
      'a DEP without affiliate',
      { event: 'dep', brand: 'newbrand', affiliateid: '' },
      ['all-types', 'with-tests'],
    ],
  ];

  it.each(expected)('%s reaches exactly the matching active bots', async (_name, params, want) => {
    const id = await n.post(event(params));
    expect(id).not.toBeNull();
    const rows = (await n.deliveries()).filter((d) => Number(d.event_id) === id);
    const names = rows.map((r) => Object.keys(bots).find((k) => bots[k] === Number(r.bot_id))).sort();
    expect(names).toEqual([...want].sort());
    expect(rows.every((r) => r.status === 'pending' && r.kind === 'event' && r.attempts === 0)).toBe(true);
  });

  it('creates no second delivery for a duplicate postback', async () => {
    const params = event({ event: 'reg', brand: 'britsino' });
    const first = await n.post(params);
    const before = (await n.deliveries()).length;
    const res = await n.t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(n.t, 'cellxpert'), ...params })}`,
    });
    expect(res.json()).toMatchObject({ status: 'duplicate', event_id: first });
    expect((await n.deliveries()).length).toBe(before);
  });

  it('matches a brand created after the bot, in the same batch that creates it', async () => {
    const late = await n.createBot({
      name: 'late-brand',
      scope: { brands: ['brand-from-later'], types: [] },
    });
    const id = await n.post(event({ brand: 'brand-from-later' }));
    const rows = (await n.deliveries(late)).filter((d) => Number(d.event_id) === id);
    expect(rows).toHaveLength(1);
  });

  it('stops matching a bot as soon as it is deactivated here', async () => {
    const res = await n.t.app.inject({
      method: 'PATCH',
      url: `/api/admin/bots/${bots['all-types']}`,
      headers: n.admin.headers,
      payload: { isActive: false },
    });
    expect(res.statusCode).toBe(200);
    const id = await n.post(event());
    expect((await n.deliveries(bots['all-types'])).some((d) => Number(d.event_id) === id)).toBe(false);
  });
});
