/**
 * A burst larger than a group chat's budget: 500 events for one group at once. The chat gets its
 * messages evenly spaced (the group interval, 40 ms here for 3 s), the ones that cannot go out
 * within the allowed lag are folded into digests ("N more FTD for …"), and nothing is lost or sent
 * twice: every delivery ends sent or digested, and the messages account for each exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestCount } from '../../src/notify/digest.js';
import {
  event,
  eventIdOf,
  FAST_NOTIFY_ENV,
  FINAL,
  type NotifyApp,
  startNotifyApp,
  waitFor,
} from './notify-helpers.js';

const GROUP = '-100200300';
const BURST = 500;
const INTERVAL = Number(FAST_NOTIFY_ENV.NOTIFY_GROUP_INTERVAL_MS);
const MAX_LAG = Number(FAST_NOTIFY_ENV.NOTIFY_MAX_LAG_MS);

let n: NotifyApp;
beforeAll(async () => {
  n = await startNotifyApp('notify-burst');
});
afterAll(async () => n.close());

describe('a burst of 500 events to one group chat', () => {
  it('stays within the pacing, sends digests, and loses or repeats nothing', async () => {
    const botId = await n.createBot({ name: 'burst', chatId: GROUP, scope: { types: [] } });
    // When our sender makes each call (the fake's arrival times add this process's event-loop jitter).
    const callStarts: number[] = [];
    const api = n.t.ctx.notifier.api;
    const sendMessage = api.sendMessage.bind(api);
    api.sendMessage = (token, chatId, html) => {
      if (chatId === GROUP) callStarts.push(Date.now());
      return sendMessage(token, chatId, html);
    };
    const ids = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        n.post(event({ event: i % 3 === 0 ? 'reg' : 'ftd', brand: i % 2 ? 'britsino' : 'spinbet' })),
      ),
    );
    expect(ids.every((id) => id !== null)).toBe(true);

    const rows = await waitFor(
      'every delivery to end',
      async () => {
        const all = await n.deliveries(botId);
        return all.length === BURST && all.every((d) => FINAL.has(d.status)) ? all : undefined;
      },
      30_000,
    );
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['sent', 'digested']));

    const calls = n.fake.calls.filter((c) => c.method === 'sendMessage' && c.chatId === GROUP);
    expect(calls.every((c) => c.answer === 200)).toBe(true);

    // Pacing: every call to the group at least the group interval after the one before (1 ms: the
    // sender's clock reading and ours are two readings).
    expect(callStarts.length).toBe(calls.length);
    const gaps = callStarts.slice(1).map((at, i) => at - (callStarts[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL - 1);

    // Accounting: single messages name their event; digests say how many they stand for.
    const singles = calls.map((c) => eventIdOf(c.text)).filter((id): id is number => id !== null);
    const digests = calls.filter((c) => digestCount(c.text ?? '') !== null);
    expect(digests.length).toBeGreaterThan(0);
    expect(new Set(singles).size).toBe(singles.length);
    const digested = digests.reduce((sum, c) => sum + (digestCount(c.text ?? '') ?? 0), 0);
    expect(singles.length + digested).toBe(BURST);
    expect(singles.length + digests.length).toBe(calls.length);
    expect(
      rows
        .filter((r) => r.status === 'sent')
        .map((r) => Number(r.event_id))
        .sort(),
    ).toEqual([...singles].sort());
    for (const c of digests) {
      const covered = rows.filter((r) => r.status === 'digested' && Number(r.message_id) === c.messageId);
      expect(covered.length).toBe(digestCount(c.text ?? ''));
      expect(covered.every((r) => r.digest_size === covered.length)).toBe(true);
    }

    // Lag: every event's message (single or digest) went out within the allowed lag, plus slack.
    const events = await n.t.ctx.db.kysely.selectFrom('events').select(['id', 'received_at']).execute();
    const receivedAt = new Map(events.map((e) => [Number(e.id), Number(e.received_at)]));
    const sentAt = new Map(calls.map((c) => [c.messageId, c.at]));
    const lags = rows.map(
      (r) => (sentAt.get(Number(r.message_id)) ?? Infinity) - (receivedAt.get(Number(r.event_id)) ?? 0),
    );
    expect(Math.max(...lags)).toBeLessThan(MAX_LAG + 1500);
  });
});
