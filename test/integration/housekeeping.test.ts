/**
 * Housekeeping on a real database: expired sessions and links, old login hashes, rate-limit
 * counters, Idempotency-Key records and long-sent deliveries go; everything still in use, failed
 * deliveries and every event stay. Chunked deletes go past one chunk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneExpired } from '../../src/housekeeping/prune-expired.js';
import { type DeliveryStatus, withNotifyTables } from '../../src/notify/tables.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 12);
const RETENTION = { telegramLoginMaxAgeMs: DAY, idempotencyKeysMs: 7 * DAY, deliveriesMs: 30 * DAY };

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp('housekeeping');
});

afterAll(async () => {
  await t?.close();
});

async function count(
  table: 'sessions' | 'login_links' | 'telegram_login_hashes' | 'rate_limits' | 'idempotency_keys',
) {
  const row = await t.ctx.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('pruneExpired', () => {
  it('deletes what expired and keeps what is still in use', async () => {
    const db = t.ctx.db.kysely;
    const user = await t.loginAs({ role: 'viewer' });
    const session = (id: string, expiresAt: number) => ({
      id_hash: id,
      user_id: user.userId,
      csrf_token: 'x',
      created_at: NOW - 40 * DAY,
      last_seen_at: NOW - 40 * DAY,
      expires_at: expiresAt,
      ip: null,
      user_agent: null,
    });
    await db.deleteFrom('sessions').execute();
    await db
      .insertInto('sessions')
      .values([session('gone', NOW - 1), session('live', NOW + DAY)])
      .execute();
    await db
      .insertInto('login_links')
      .values([
        {
          token_hash: 'old-link',
          user_id: user.userId,
          created_at: NOW - 2 * DAY,
          expires_at: NOW - DAY,
          used_at: null,
        },
        {
          token_hash: 'new-link',
          user_id: user.userId,
          created_at: NOW,
          expires_at: NOW + 3600_000,
          used_at: null,
        },
      ])
      .execute();
    await db
      .insertInto('telegram_login_hashes')
      .values([
        { hash: 'old-hash', used_at: NOW - 3 * DAY },
        { hash: 'recent-hash', used_at: NOW - DAY - 3600_000 },
      ])
      .execute();
    await db
      .insertInto('rate_limits')
      .values([
        { bucket: 'login:old', window_start: NOW - 2 * DAY, count: 3 },
        { bucket: 'login:now', window_start: NOW - 60_000, count: 3 },
      ])
      .execute();
    const key = (k: string, createdAt: number) => ({
      scope: 'client:1',
      key: k,
      request_hash: 'h',
      status_code: 200,
      response: '{}',
      created_at: createdAt,
    });
    // More than one chunk (5,000) of old keys, so the sweep loops.
    const old = Array.from({ length: 5_200 }, (_, i) => key(`old-${i}`, NOW - 8 * DAY));
    for (let i = 0; i < old.length; i += 500)
      await db
        .insertInto('idempotency_keys')
        .values(old.slice(i, i + 500))
        .execute();
    await db
      .insertInto('idempotency_keys')
      .values(key('fresh', NOW - DAY))
      .execute();

    const ndb = withNotifyTables(db);
    const bot = await ndb
      .insertInto('bots')
      .values({
        name: 'hk',
        token: '1:x',
        chat_id: '-1',
        business_unit: null,
        is_active: 1,
        scope: '{}',
        template: null,
        health_status: 'unknown',
        health_checked_at: null,
        health_error: null,
        bot_username: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const delivery = (status: DeliveryStatus, finishedAt: number | null) => ({
      bot_id: bot.id,
      kind: 'test' as const,
      event_id: null,
      chat_id: '-1',
      text: status,
      status,
      attempts: 1,
      due_at: NOW - 40 * DAY,
      claimed_by: null,
      batch: null,
      created_at: NOW - 40 * DAY,
      finished_at: finishedAt,
      error: null,
      message_id: null,
      digest_size: null,
    });
    await ndb
      .insertInto('notify_deliveries')
      .values([
        delivery('sent', NOW - 31 * DAY),
        delivery('sent', NOW - 29 * DAY),
        delivery('failed', NOW - 60 * DAY),
        delivery('pending', null),
      ])
      .execute();

    const counts = await pruneExpired(db, NOW, RETENTION);
    expect(counts).toEqual({
      sessions: 1,
      login_links: 1,
      telegram_login_hashes: 1,
      rate_limits: 1,
      idempotency_keys: 5_200,
      notify_deliveries: 1,
    });
    expect((await db.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash)).toEqual([
      'live',
    ]);
    expect(
      await db.selectFrom('login_links').select('token_hash').where('token_hash', '=', 'new-link').execute(),
    ).toHaveLength(1);
    expect(await count('telegram_login_hashes')).toBe(1);
    expect(
      await db.selectFrom('rate_limits').select('bucket').where('bucket', '=', 'login:now').execute(),
    ).toHaveLength(1);
    expect(await count('idempotency_keys')).toBe(1);
    const left = await ndb
      .selectFrom('notify_deliveries')
      .select('text')
      .where('bot_id', '=', bot.id)
      .orderBy('id')
      .execute();
    expect(left.map((r) => r.text)).toEqual(['sent', 'failed', 'pending']);

    // A second sweep finds nothing more.
    expect(Object.values(await pruneExpired(db, NOW, RETENTION)).every((n) => n === 0)).toBe(true);
  });
});
