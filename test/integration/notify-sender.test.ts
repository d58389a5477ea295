/**
 * The sender against the fake Bot API: a delivered message is escaped HTML with no link of a
 * postback's making; 429 `retry_after` is obeyed (no call before it); 5xx and timeouts are retried
 * with backoff until delivered, once; 400/403 fail for good with Telegram's reason, count as
 * "Failed Notifs" on the Deal Audit and mark the bot offline; retries stop at the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCall } from '../../src/notify/fake-bot-api.js';
import { withNotifyTables } from '../../src/notify/tables.js';
import { event, type NotifyApp, startNotifyApp, waitFor } from './notify-helpers.js';

let n: NotifyApp;
let bots = 0;

beforeAll(async () => {
  n = await startNotifyApp('notify-sender');
});
afterAll(async () => n.close());

/** A bot of its own (token, chat, brand), so the tests do not see each other's messages. */
async function ownBot(template?: string) {
  bots++;
  const token = `${700000 + bots}:${'T'.repeat(30)}${bots}`;
  const chatId = String(5000 + bots);
  const brand = `brand-${bots}`;
  const id = await n.createBot({
    name: `sender-${bots}`,
    token,
    chatId,
    scope: { brands: [brand], types: [] },
    ...(template === undefined ? {} : { template }),
  });
  const calls = () => n.fake.calls.filter((c) => c.token === token && c.method === 'sendMessage');
  return { id, token, chatId, brand, calls };
}

async function finalRow(botId: number, eventId: number | null) {
  return waitFor(`delivery of event ${eventId} to bot ${botId}`, async () => {
    const row = (await n.deliveries(botId)).find((d) => Number(d.event_id) === eventId);
    return row && ['sent', 'failed', 'digested'].includes(row.status) ? row : undefined;
  });
}

describe('delivery', () => {
  it('sends the escaped message to the bot chat, with no link or tag from postback values', async () => {
    const bot = await ownBot('<b>{type}</b> {brand} tag {tracking_tag} sub {sub_id} #{id}');
    const hostile = '<a href="https://evil.example">win</a>&amp;@admin /start';
    const id = await n.post(event({ brand: bot.brand, trackingcode: hostile, afp: '</code><b>x' }));
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, error: null });
    const [call] = bot.calls();
    expect(call?.chatId).toBe(bot.chatId);
    expect(call?.body).toMatchObject({ parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    expect(call?.text).toBe(`FTD ${bot.brand} tag ${hostile} sub </code><b>x #${id}`);
    expect(call?.entities.map((e) => e.type)).toEqual(['bold', 'code', 'code', 'code']);
    expect(Number(row.message_id)).toBe(call?.messageId);
  });
});

describe('429 Too Many Requests', () => {
  it('makes no call with that bot before retry_after has passed, then delivers everything', async () => {
    const bot = await ownBot();
    n.fake.failNext(1, { kind: 'retry_after', seconds: 1 }, 'sendMessage', (c) => c.token === bot.token);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await n.post(event({ brand: bot.brand })));
    for (const id of ids) expect((await finalRow(bot.id, id)).status).toBe('sent');
    const calls = bot.calls();
    const limited = calls.find((c) => c.answer === 429) as FakeCall;
    expect(limited).toBeDefined();
    const after = calls.filter((c) => c.seq > limited.seq);
    expect(after.length).toBe(3);
    for (const c of after) expect(c.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(n.fake.delivered(bot.chatId)).toHaveLength(3);
  });
});

describe('5xx and timeouts', () => {
  it('retries 5xx with growing backoff, then delivers exactly once', async () => {
    const bot = await ownBot();
    n.fake.failNext(
      2,
      { kind: 'error', status: 502, description: 'Bad Gateway' },
      'sendMessage',
      (c) => c.token === bot.token,
    );
    const id = await n.post(event({ brand: bot.brand }));
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, error: null });
    const calls = bot.calls();
    expect(calls.map((c) => c.answer)).toEqual([502, 502, 200]);
    // Equal jitter: at least half of 50 ms, then half of 100 ms.
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(25);
    expect((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0)).toBeGreaterThanOrEqual(50);
    expect(n.fake.delivered(bot.chatId)).toHaveLength(1);
  });

  it('retries a call that got no answer in time, then delivers', async () => {
    const bot = await ownBot();
    n.fake.failNext(1, { kind: 'hang' }, 'sendMessage', (c) => c.token === bot.token);
    const id = await n.post(event({ brand: bot.brand }));
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(bot.calls().map((c) => c.answer)).toEqual(['aborted', 200]);
  });

  it('gives up after the attempt limit, failed for good with the last reason', async () => {
    const bot = await ownBot();
    n.fake.failNext(
      100,
      { kind: 'error', status: 500, description: 'Internal Server Error' },
      'sendMessage',
      (c) => c.token === bot.token,
    );
    const id = await n.post(event({ brand: bot.brand }));
    const row = await finalRow(bot.id, id);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(4);
    expect(row.error).toBe('gave up after 4 attempts: 500 Internal Server Error');
    expect(bot.calls()).toHaveLength(4);
  });
});

describe('400 and 403', () => {
  it('fails a 403 for good with the reason, counts it on the Deal Audit and marks the bot offline', async () => {
    const bot = await ownBot();
    const reason = 'Forbidden: bot was kicked from the group chat';
    n.fake.failNext(
      1,
      { kind: 'error', status: 403, description: reason },
      'sendMessage',
      (c) => c.token === bot.token,
    );
    const id = await n.post(event({ brand: bot.brand }));
    const ok = await n.post(event({ brand: bot.brand, event: 'reg' }));
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, error: `403 ${reason}` });
    expect((await finalRow(bot.id, ok)).status).toBe('sent');
    expect(bot.calls().filter((c) => c.answer === 403)).toHaveLength(1);

    const auth = { authorization: `Bearer ${n.t.apiToken}` };
    const deals = await n.t.app.inject({
      method: 'GET',
      url: `/api/v1/deals?period=today&brand=${bot.brand}`,
      headers: auth,
    });
    expect(deals.json().rows).toEqual([
      expect.objectContaining({ brand: bot.brand, failed_notifs: 1, problems: true }),
    ]);
    const deal = await n.t.app.inject({
      method: 'GET',
      url: `/api/v1/deals/${bot.brand}/cellxpert?period=today`,
      headers: auth,
    });
    expect(deal.json().failed_notifications).toEqual([
      expect.objectContaining({ event_id: id, type: 'FTD', bot: `sender-${bots}`, error: `403 ${reason}` }),
    ]);
    const detail = await n.t.app.inject({
      method: 'GET',
      url: `/api/admin/bots/${bot.id}`,
      headers: n.admin.headers,
    });
    expect(detail.json().bot.health).toMatchObject({
      status: 'offline',
      error: `Telegram refused the chat: 403 ${reason}`,
    });
    expect(detail.json().deliveries.map((d: { status: string }) => d.status)).toEqual(['sent', 'failed']);

    // getMe tests the token, not the chat: a health check leaves the refusal standing.
    const check = await n.t.app.inject({
      method: 'POST',
      url: `/api/admin/bots/${bot.id}/health`,
      headers: n.admin.headers,
    });
    expect(check.json().health).toMatchObject({
      status: 'offline',
      error: `Telegram refused the chat: 403 ${reason}`,
    });
    // A test message that gets through clears it.
    const test = await n.t.app.inject({
      method: 'POST',
      url: `/api/admin/bots/${bot.id}/test`,
      headers: n.admin.headers,
    });
    expect(test.json().delivery.status).toBe('sent');
    const after = await n.t.app.inject({
      method: 'GET',
      url: `/api/admin/bots/${bot.id}`,
      headers: n.admin.headers,
    });
    expect(after.json().bot.health).toMatchObject({ status: 'online', error: null });
  });

  it('fails a 400 "chat not found" for good without retrying', async () => {
    const bot = await ownBot();
    n.fake.failNext(
      1,
      { kind: 'error', status: 400, description: 'Bad Request: chat not found' },
      'sendMessage',
      (c) => c.token === bot.token,
    );
    const id = await n.post(event({ brand: bot.brand }));
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, error: '400 Bad Request: chat not found' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bot.calls()).toHaveLength(1);
  });
});

describe('housekeeping', () => {
  it('gives back a delivery it left claimed and unplanned, and then sends it', async () => {
    const bot = await ownBot();
    await n.t.ctx.notifier.sender.stop();
    const id = await n.post(event({ brand: bot.brand }));
    // As if a give-back had failed: claimed by this very sender, lease run out, in no queue.
    await withNotifyTables(n.t.ctx.db.kysely)
      .updateTable('notify_deliveries')
      .set({ status: 'sending', claimed_by: n.t.ctx.notifier.sender.holder, due_at: Date.now() - 1 })
      .where('event_id', '=', id)
      .execute();
    n.t.ctx.notifier.sender.start();
    const row = await finalRow(bot.id, id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    expect(bot.calls()).toHaveLength(1);
  });
});
