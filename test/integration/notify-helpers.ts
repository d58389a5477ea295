/**
 * Shared by the notify-*.test.ts files: a test app pointed at a fresh fake Bot API, with pacing
 * and retry settings scaled down so tests run in seconds, an admin to create bots through the
 * API, postback helpers and a poll-until helper. Not a test file itself.
 */
import { FakeBotApi } from '../../src/notify/fake-bot-api.js';
import { type DeliveryRow, withNotifyTables } from '../../src/notify/tables.js';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

/** Time-scaled notifier settings: 20 ms per private chat, 40 ms per group, 2 s allowed lag. */
export const FAST_NOTIFY_ENV: Record<string, string> = {
  NOTIFY_CHAT_INTERVAL_MS: '20',
  NOTIFY_GROUP_INTERVAL_MS: '40',
  NOTIFY_BOT_INTERVAL_MS: '1',
  NOTIFY_MAX_LAG_MS: '2000',
  NOTIFY_POLL_MS: '50',
  NOTIFY_LEASE_MS: '2000',
  NOTIFY_TIMEOUT_MS: '500',
  NOTIFY_MAX_ATTEMPTS: '4',
  NOTIFY_BACKOFF_BASE_MS: '50',
  NOTIFY_BACKOFF_MAX_MS: '400',
  NOTIFY_HEALTH_INTERVAL_MS: '0',
  NOTIFY_ALERT_INTERVAL_MS: '0',
  NOTIFY_BOTS_REFRESH_MS: '200',
};

export const TOKEN_A = '111111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
export const TOKEN_B = '222222:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

export interface NotifyApp {
  t: TestApp;
  fake: FakeBotApi;
  admin: LoggedIn;
  /** Creates a bot through the admin API; returns its id. */
  createBot(input: Record<string, unknown>): Promise<number>;
  /** Sends one cellxpert postback; returns the stored event id (or null for a duplicate/reject). */
  post(params: Record<string, string | number>): Promise<number | null>;
  deliveries(botId?: number): Promise<DeliveryRow[]>;
  close(): Promise<void>;
}

export async function startNotifyApp(
  name: string,
  env: Record<string, string> = {},
  options: { startSender?: boolean } = {},
): Promise<NotifyApp> {
  const fake = await FakeBotApi.start();
  const t = await createTestApp(name, { ...FAST_NOTIFY_ENV, TELEGRAM_API_BASE_URL: fake.baseUrl, ...env });
  if (options.startSender !== false) t.ctx.notifier.start();
  const admin = await t.loginAs({ role: 'admin' });
  return {
    t,
    fake,
    admin,
    async createBot(input) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/admin/bots',
        headers: admin.headers,
        payload: { token: TOKEN_A, chatId: '1001', ...input },
      });
      if (res.statusCode !== 201) throw new Error(`bot not created: ${res.statusCode} ${res.body}`);
      return (res.json() as { bot: { id: number } }).bot.id;
    },
    async post(params) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), ...params })}`,
      });
      const body = res.json() as { status?: string; event_id?: number };
      return body.status === 'accepted' ? (body.event_id ?? null) : null;
    },
    async deliveries(botId) {
      let q = withNotifyTables(t.ctx.db.kysely).selectFrom('notify_deliveries').selectAll().orderBy('id');
      if (botId !== undefined) q = q.where('bot_id', '=', botId);
      return q.execute();
    },
    async close() {
      await t.close();
      await fake.close();
    },
  };
}

let counter = 0;

/** A fresh REG/FTD postback's parameters (unique player and transaction). */
export function event(over: Record<string, string | number> = {}): Record<string, string | number> {
  counter++;
  return {
    event: 'ftd',
    brand: 'britsino',
    affiliateid: '77',
    userid: `p-${process.pid}-${counter}-${Math.floor(Math.random() * 1e9)}`,
    depositid: `d-${process.pid}-${counter}-${Math.floor(Math.random() * 1e9)}`,
    amount: '25.00',
    currency: 'EUR',
    ...over,
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The event id a default-template message names (`#123`). */
export function eventIdOf(text: string | null): number | null {
  const m = /#(\d+) ·/.exec(text ?? '');
  return m ? Number(m[1]) : null;
}

export const FINAL = new Set(['sent', 'digested', 'failed', 'cancelled']);
