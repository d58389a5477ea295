/**
 * Alerts to the admin chat: a source silent past its error threshold, a suspicious brand × source
 * and a broken-tag spike are each announced once while they hold, and once more when they resolve
 * — also when two checks run at the same time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, type NotifyApp, startNotifyApp, TOKEN_B, waitFor } from './notify-helpers.js';

const ADMIN_CHAT = '-900100';
let n: NotifyApp;
let botId: number;

beforeAll(async () => {
  n = await startNotifyApp('notify-alerts');
  // The alert bot need not be active for events.
  botId = await n.createBot({ name: 'alerts', token: TOKEN_B, chatId: '-1', isActive: false });
  const res = await n.t.app.inject({
    method: 'PUT',
    url: '/api/admin/bots/alerts',
    headers: n.admin.headers,
    payload: { enabled: true, botId, chatId: ADMIN_CHAT, brokenSpikeThreshold: 3 },
  });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => n.close());

const alertTexts = () => n.fake.delivered(ADMIN_CHAT).map((c) => c.text ?? '');

describe('alerts', () => {
  it('announces each condition once, and its resolution once', async () => {
    // Suspicious: 20 REG and 10 FTD (50 % > 25 % with ≥ 20 REG). Broken tags: 3 with a macro.
    for (let i = 0; i < 20; i++) await n.post(event({ event: 'reg', brand: 'suspbrand' }));
    for (let i = 0; i < 10; i++) await n.post(event({ event: 'ftd', brand: 'suspbrand' }));
    for (let i = 0; i < 3; i++)
      await n.post(event({ event: 'reg', brand: 'tagbrand', trackingcode: '{clickid}' }));

    // Seen from 25 hours on, cellxpert (error threshold 24 h) has been silent, and the deal and the
    // spike are out of their windows.
    const later = Date.now() + 25 * 3600_000;
    const [a, b] = await Promise.all([
      n.t.ctx.notifier.checkAlerts(later),
      n.t.ctx.notifier.checkAlerts(later),
    ]);
    const opened = [...(a?.opened ?? []), ...(b?.opened ?? [])].sort();
    expect(opened).toEqual(['source_silent:cellxpert']);

    // From now, the deal and the spike hold, and the source is not silent any more.
    const now = await n.t.ctx.notifier.checkAlerts(Date.now());
    expect(now?.opened.sort()).toEqual(['broken_spike:tagbrand', 'suspicious_deal:suspbrand|cellxpert']);
    expect(now?.resolved).toEqual(['source_silent:cellxpert']);
    expect(await n.t.ctx.notifier.checkAlerts(Date.now())).toEqual({ opened: [], resolved: [] });

    await waitFor('four alert messages', () => alertTexts().length === 4);
    const texts = alertTexts();
    expect(texts[0]).toMatch(/^🚨 Alert: Source cellxpert is silent\nno event for \d+ min/);
    expect(texts.slice(1).sort()).toEqual([
      expect.stringMatching(/^✅ Resolved: Source cellxpert is silent$/),
      expect.stringMatching(/^🚨 Alert: Broken tags spike for tagbrand\n3 events with unsubstituted macros/),
      expect.stringMatching(
        /^🚨 Alert: Deal suspbrand × cellxpert looks suspicious\nFTD\/REG 50\.0 % \(10 FTD \/ 20 REG/,
      ),
    ]);
    const alerts = await n.t.app.inject({
      method: 'GET',
      url: '/api/admin/bots/alerts',
      headers: n.admin.headers,
    });
    expect(
      alerts
        .json()
        .open.map((o: { key: string }) => o.key)
        .sort(),
    ).toEqual(['broken_spike:tagbrand', 'suspicious_deal:suspbrand|cellxpert']);
  });

  it('does not mark the bot offline when the admin chat refuses an alert', async () => {
    n.fake.failNext(
      1,
      { kind: 'error', status: 403, description: 'Forbidden: bot was kicked from the group chat' },
      'sendMessage',
      (c) => c.chatId === ADMIN_CHAT,
    );
    for (let i = 0; i < 3; i++)
      await n.post(event({ event: 'reg', brand: 'tagbrand2', trackingcode: '{clickid}' }));
    const changes = await n.t.ctx.notifier.checkAlerts(Date.now());
    expect(changes?.opened).toContain('broken_spike:tagbrand2');
    await waitFor('the refused alert', () =>
      n.fake.calls.some((c) => c.chatId === ADMIN_CHAT && c.answer === 403),
    );
    // The refusal is recorded in the background right after the answer: give it time to land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const bot = await n.t.app.inject({
      method: 'GET',
      url: `/api/admin/bots/${botId}`,
      headers: n.admin.headers,
    });
    expect(bot.json().bot.health.error ?? '').not.toContain('kicked');
  });
});
