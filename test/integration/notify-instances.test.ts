/**
 * Two app instances on one PostgreSQL database, both sending: postbacks arrive at either, both
 * senders claim from the one outbox (FOR UPDATE SKIP LOCKED), and every delivery reaches Telegram
 * exactly once — singles named once, digests accounting for the rest, none lost. PostgreSQL only:
 * SQLite runs one sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/context.js';
import { digestCount } from '../../src/notify/digest.js';
import { buildServer } from '../../src/server.js';
import { testDatabaseKind } from '../helpers/database-url.js';
import { keyOf, query } from '../helpers/test-app.js';
import {
  event,
  eventIdOf,
  FINAL,
  type NotifyApp,
  startNotifyApp,
  TOKEN_B,
  waitFor,
} from './notify-helpers.js';

const EVENTS = 300;
const CHATS = ['3001', '3002', '-3003'];

describe.skipIf(testDatabaseKind() !== 'postgres')('two instances on one PostgreSQL', () => {
  let n: NotifyApp;
  let second: AppContext;
  let app2: Awaited<ReturnType<typeof buildServer>>;

  beforeAll(async () => {
    n = await startNotifyApp('notify-instances', {
      NOTIFY_CHAT_INTERVAL_MS: '5',
      NOTIFY_GROUP_INTERVAL_MS: '20',
      NOTIFY_MAX_LAG_MS: '1000',
    });
    second = await createContext(n.t.config, { runNotifier: true });
    app2 = await buildServer(second, { logger: false });
  });
  afterAll(async () => {
    await app2?.close();
    await n?.close();
  });

  it('never sends one delivery twice and loses none', async () => {
    const bots: number[] = [];
    for (const [i, chatId] of CHATS.entries())
      bots.push(
        await n.createBot({
          name: `multi-${i}`,
          ...(i === 2 ? { token: TOKEN_B } : {}),
          chatId,
          scope: { types: [] },
        }),
      );
    await second.notifier.botsChanged();
    expect(n.t.ctx.notifier.sender.holder).not.toBe(second.notifier.sender.holder);

    const perInstance = [0, 0];
    [n.t.ctx, second].forEach((ctx, i) => {
      const api = ctx.notifier.api;
      const send = api.sendMessage.bind(api);
      api.sendMessage = (token, chatId, html) => {
        perInstance[i] = (perInstance[i] ?? 0) + 1;
        return send(token, chatId, html);
      };
    });

    const key = keyOf(n.t, 'cellxpert');
    const post = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, async (_, k) => {
          const target = (from + k) % 2 === 0 ? n.t.app : app2;
          const res = await target.inject({
            method: 'GET',
            url: `/postback/cellxpert?${query({ key, ...event() })}`,
          });
          return (res.json() as { event_id: number }).event_id;
        }),
      );
    // First half with both senders running; which one claims what is up to the race.
    const ids = await post(0, EVENTS / 2);
    // Once one instance has sent something, and if the other has not, that one's sender stops
    // (handing back its claims): the second half can then only go out through the other one, so
    // both always take part, and a claim handed over mid-way is part of what is checked.
    await waitFor('a first message', () => perInstance.some((count) => count > 0));
    const idle = perInstance.indexOf(0);
    if (idle !== -1) await (idle === 0 ? second : n.t.ctx).notifier.stop();
    ids.push(...(await post(EVENTS / 2, EVENTS)));
    expect(new Set(ids).size).toBe(EVENTS);

    const rows = await waitFor(
      'every delivery to end',
      async () => {
        const all = await n.deliveries();
        return all.length === EVENTS * CHATS.length && all.every((d) => FINAL.has(d.status))
          ? all
          : undefined;
      },
      30_000,
    );
    expect(rows.filter((r) => r.status !== 'sent' && r.status !== 'digested')).toEqual([]);

    for (const chatId of CHATS) {
      const calls = n.fake.calls.filter((c) => c.method === 'sendMessage' && c.chatId === chatId);
      expect(calls.every((c) => c.answer === 200)).toBe(true);
      const singles = calls.map((c) => eventIdOf(c.text)).filter((id): id is number => id !== null);
      const digested = calls.reduce((sum, c) => sum + (digestCount(c.text ?? '') ?? 0), 0);
      expect(new Set(singles).size, `no event twice in chat ${chatId}`).toBe(singles.length);
      expect(singles.length + digested, `every event once in chat ${chatId}`).toBe(EVENTS);
    }
    // Both instances took part: each sent some of the messages.
    expect(
      perInstance.every((count) => count > 0),
      `messages per instance: ${perInstance}`,
    ).toBe(true);
  });
});
