/**
 * The admin side of access: managing users (add, edit, end sessions, delete, the last active admin
 * guard), API clients (token shown once and stored only as a hash, identical 401s for every bad
 * token, per-client rate limits with RateLimit-* headers, last-used time), and the audit log
 * (an entry per action, filters and keyset paging, admins only).
 */
import { createHash, createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../src/access/sessions.js';
import { parseConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { buildServer } from '../../src/server.js';
import { createTestDatabaseUrl } from '../helpers/database-url.js';
import { createTestApp, type LoggedIn, type TestApp } from '../helpers/test-app.js';

const BOT_TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ENV = { TELEGRAM_LOGIN_BOT_TOKEN: BOT_TOKEN, LOGIN_RATE_LIMIT_PER_MINUTE: '1000' };
const READER_PROBE = '/api/v1/__access_probe';

let t: TestApp;
let admin: LoggedIn;
let adminLabel: string;

beforeAll(async () => {
  t = await createTestApp('access-admin', ENV);
  t.app.get(READER_PROBE, { config: { access: 'reader' } }, async () => ({ ok: true }));
  admin = await t.loginAs({ role: 'admin' });
  const row = await t.ctx.db.kysely
    .selectFrom('users')
    .select('username')
    .where('id', '=', admin.userId)
    .executeTakeFirstOrThrow();
  adminLabel = `@${row.username}`;
});

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- helpers

interface PublicUser {
  id: number;
  telegramId: string | null;
  firstName: string;
  lastName: string;
  username: string | null;
  role: 'admin' | 'viewer';
  status: 'pending' | 'approved' | 'rejected';
  isActive: boolean;
  hasActiveSession?: boolean;
}

interface PublicClient {
  id: number;
  name: string;
  keyPrefix: string;
  status: 'active' | 'inactive';
  rateLimitPerMinute: number;
  lastUsedAt: string | null;
  createdAt: string;
}

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorUserId: number | null;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function send(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  who: LoggedIn = admin,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: {
      ...who.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

let counter = 0;
function uniqueTelegramId(): string {
  counter += 1;
  return String(80_000_000 + process.pid * 1000 + counter);
}
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

async function addUser(body: Record<string, unknown>): Promise<PublicUser> {
  const res = await send('POST', '/api/admin/users', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ user: PublicUser }>().user;
}

async function listUsers(): Promise<PublicUser[]> {
  const res = await send('GET', '/api/admin/users');
  expect(res.statusCode).toBe(200);
  return res.json<{ users: PublicUser[] }>().users;
}

async function createClient(body: Record<string, unknown>): Promise<{ client: PublicClient; token: string }> {
  const res = await send('POST', '/api/admin/api-clients', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ client: PublicClient; token: string }>();
}

async function listClients(): Promise<PublicClient[]> {
  const res = await send('GET', '/api/admin/api-clients');
  expect(res.statusCode).toBe(200);
  return res.json<{ clients: PublicClient[] }>().clients;
}

function bearerGet(token: string | null, url = READER_PROBE, extra: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...extra },
  });
}

function postEvent(token: string, item: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(item),
  });
}

async function audit(
  params: Record<string, string | number> = {},
  who: LoggedIn = admin,
): Promise<AuditPage> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await send('GET', `/api/admin/audit?${qs.toString()}`, undefined, who);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AuditPage>();
}

async function lastAudit(action: string, targetId?: string | number): Promise<AuditEntry> {
  const page = await audit({
    action,
    limit: 1,
    ...(targetId === undefined ? {} : { targetId: String(targetId) }),
  });
  const entry = page.entries[0];
  if (!entry) throw new Error(`no audit entry ${action} ${targetId ?? ''}`);
  return entry;
}

/** Every row of every table, as text, for "this secret is stored nowhere" checks. */
async function dumpDatabase(): Promise<Map<string, string>> {
  const tables = await t.ctx.db.kysely.introspection.getTables();
  const dump = new Map<string, string>();
  for (const table of tables) {
    const ref = table.schema ? sql.id(table.schema, table.name) : sql.id(table.name);
    const result = await sql<Record<string, unknown>>`select * from ${ref}`.execute(t.ctx.db.kysely);
    dump.set(table.name, JSON.stringify(result.rows));
  }
  return dump;
}

function tablesContaining(dump: Map<string, string>, needle: string): string[] {
  return [...dump].filter(([, text]) => text.includes(needle)).map(([name]) => name);
}

function signTelegram(fields: Record<string, string>): Record<string, string> {
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  const secretKey = createHash('sha256').update(BOT_TOKEN).digest();
  return { ...fields, hash: createHmac('sha256', secretKey).update(dataCheckString).digest('hex') };
}

function telegramLogin(fields: Record<string, string>, remoteAddress = '127.0.0.1') {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/telegram',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(fields),
    remoteAddress,
  });
}

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** Fixed one-minute windows: wait when the current one is about to end, so a burst stays in one. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 55_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
}

// ---------------------------------------------------------------- users

describe('admin: users', () => {
  it('adds a user with Telegram ID, names, username and role (201), approved and active', async () => {
    const telegramId = uniqueTelegramId();
    const res = await send('POST', '/api/admin/users', {
      telegramId,
      firstName: 'Grace',
      lastName: 'Hopper',
      username: '@grace_h',
      role: 'admin',
    });
    expect(res.statusCode).toBe(201);
    const user = res.json<{ user: PublicUser }>().user;
    expect(user).toMatchObject({
      telegramId,
      firstName: 'Grace',
      lastName: 'Hopper',
      username: 'grace_h',
      role: 'admin',
      status: 'approved',
      isActive: true,
    });
    const row = await t.ctx.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.telegram_id).toBe(telegramId);
    expect(row.role).toBe('admin');
  });

  it('refuses a duplicate Telegram ID with 409 naming the field', async () => {
    const telegramId = uniqueTelegramId();
    await addUser({ telegramId, role: 'viewer' });
    const res = await send('POST', '/api/admin/users', { telegramId, role: 'admin' });
    expect(res.statusCode).toBe(409);
    expect(res.json<ErrorBody>().error).toMatchObject({ code: 'conflict', field: 'telegramId' });
    const rows = await t.ctx.db.kysely
      .selectFrom('users')
      .select('id')
      .where('telegram_id', '=', telegramId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it.each([['abc'], [''], ['12.5'], ['-5'], ['123456789012345678901'], [' ']])(
    'refuses the bad Telegram ID %j with 400 naming the field',
    async (telegramId) => {
      const res = await send('POST', '/api/admin/users', { telegramId, role: 'viewer' });
      expect(res.statusCode).toBe(400);
      expect(res.json<ErrorBody>().error).toMatchObject({ code: 'bad_request', field: 'telegramId' });
    },
  );

  it('refuses a missing Telegram ID and an unknown role with 400', async () => {
    const missing = await send('POST', '/api/admin/users', { role: 'viewer' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<ErrorBody>().error.field).toBe('telegramId');
    const role = await send('POST', '/api/admin/users', { telegramId: uniqueTelegramId(), role: 'root' });
    expect(role.statusCode).toBe(400);
    expect(role.json<ErrorBody>().error.field).toBe('role');
  });

  it('the list shows hasActiveSession: true with a live session, false without or after its end', async () => {
    const withSession = await t.loginAs({ role: 'viewer' });
    const without = await addUser({ telegramId: uniqueTelegramId(), role: 'viewer' });
    let users = await listUsers();
    expect(users.find((u) => u.id === withSession.userId)?.hasActiveSession).toBe(true);
    expect(users.find((u) => u.id === without.id)?.hasActiveSession).toBe(false);
    expect(users.find((u) => u.id === admin.userId)?.hasActiveSession).toBe(true);

    const ended = await send('POST', `/api/admin/users/${withSession.userId}/end-sessions`);
    expect(ended.statusCode).toBe(200);
    expect(ended.json<{ ended: number }>().ended).toBe(1);
    users = await listUsers();
    expect(users.find((u) => u.id === withSession.userId)?.hasActiveSession).toBe(false);
  });

  it('an idle-expired session does not count as active in the list', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    await t.ctx.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: Date.now() - t.config.access.sessionIdleMs - 60_000 })
      .where('user_id', '=', user.userId)
      .execute();
    const users = await listUsers();
    expect(users.find((u) => u.id === user.userId)?.hasActiveSession).toBe(false);
  });

  it('edits role, status, active flag and names', async () => {
    const user = await addUser({ telegramId: uniqueTelegramId(), role: 'viewer' });
    const res = await send('PATCH', `/api/admin/users/${user.id}`, {
      role: 'admin',
      status: 'rejected',
      isActive: false,
      firstName: 'Renamed',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ user: PublicUser }>().user).toMatchObject({
      role: 'admin',
      status: 'rejected',
      isActive: false,
      firstName: 'Renamed',
    });
    const listed = (await listUsers()).find((u) => u.id === user.id);
    expect(listed).toMatchObject({ role: 'admin', status: 'rejected', isActive: false });
  });

  it('refuses a bad edit with 400 and an unknown user with 404', async () => {
    const user = await addUser({ telegramId: uniqueTelegramId(), role: 'viewer' });
    const bad = await send('PATCH', `/api/admin/users/${user.id}`, { role: 'superuser' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.field).toBe('role');
    expect((await send('PATCH', '/api/admin/users/99999999', { role: 'viewer' })).statusCode).toBe(404);
    expect((await send('PATCH', '/api/admin/users/abc', { role: 'viewer' })).statusCode).toBe(400);
    expect((await send('DELETE', '/api/admin/users/99999999')).statusCode).toBe(404);
    expect((await send('POST', '/api/admin/users/99999999/end-sessions')).statusCode).toBe(404);
  });

  it('deletes a user (204): gone from the list, its sessions and login links ended', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    const res = await send('DELETE', `/api/admin/users/${user.userId}`);
    expect(res.statusCode).toBe(204);
    expect((await listUsers()).some((u) => u.id === user.userId)).toBe(false);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } });
    expect(me.statusCode).toBe(401);
    const sessions = await t.ctx.db.kysely
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', user.userId)
      .execute();
    expect(sessions).toHaveLength(0);
  });
});

describe('the last active admin', () => {
  let solo: TestApp;
  let first: LoggedIn;

  beforeAll(async () => {
    solo = await createTestApp('access-admin-last', ENV);
    first = await solo.loginAs({ role: 'admin' });
  });
  afterAll(async () => {
    await solo?.close();
  });

  function patch(who: LoggedIn, id: number, body: unknown) {
    return solo.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${id}`,
      headers: { ...who.headers, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  }
  function remove(who: LoggedIn, id: number) {
    return solo.app.inject({ method: 'DELETE', url: `/api/admin/users/${id}`, headers: who.headers });
  }

  it.each([
    ['demoted', { role: 'viewer' }],
    ['deactivated', { isActive: false }],
    ['rejected', { status: 'rejected' }],
    ['set back to pending', { status: 'pending' }],
  ])('cannot be %s (409), and stays an active admin', async (_label, body) => {
    const res = await patch(first, first.userId, body);
    expect(res.statusCode).toBe(409);
    expect(res.json<ErrorBody>().error.code).toBe('conflict');
    const row = await solo.ctx.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('id', '=', first.userId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'admin', status: 'approved', is_active: 1 });
  });

  it('cannot be deleted (409)', async () => {
    const res = await remove(first, first.userId);
    expect(res.statusCode).toBe(409);
    const row = await solo.ctx.db.kysely
      .selectFrom('users')
      .select('id')
      .where('id', '=', first.userId)
      .executeTakeFirst();
    expect(row).toBeDefined();
  });

  it('deactivated or pending admins do not count as another admin', async () => {
    await solo.loginAs({ role: 'admin', isActive: false });
    await solo.loginAs({ role: 'admin', status: 'pending' });
    await solo.loginAs({ role: 'admin', status: 'rejected' });
    expect((await patch(first, first.userId, { role: 'viewer' })).statusCode).toBe(409);
    expect((await remove(first, first.userId)).statusCode).toBe(409);
  });

  it('can be deactivated, rejected, demoted and deleted once another active admin exists', async () => {
    const second = await solo.loginAs({ role: 'admin' });
    // first changes second and back: allowed, since first remains
    expect((await patch(first, second.userId, { isActive: false })).statusCode).toBe(200);
    // now first is the last one again
    expect((await patch(first, first.userId, { status: 'rejected' })).statusCode).toBe(409);
    expect((await patch(first, second.userId, { isActive: true })).statusCode).toBe(200);
    expect((await patch(first, second.userId, { status: 'rejected' })).statusCode).toBe(200);
    expect((await patch(first, second.userId, { status: 'approved' })).statusCode).toBe(200);
    expect((await patch(first, second.userId, { role: 'viewer' })).statusCode).toBe(200);
    expect((await patch(first, second.userId, { role: 'admin' })).statusCode).toBe(200);
    expect((await remove(first, second.userId)).statusCode).toBe(204);
    expect((await remove(first, first.userId)).statusCode).toBe(409);

    // with a third admin, first may demote itself
    const third = await solo.loginAs({ role: 'admin' });
    expect((await patch(first, first.userId, { role: 'viewer' })).statusCode).toBe(200);
    // first's sessions ended with the change; third is now the last one
    expect((await patch(third, third.userId, { role: 'viewer' })).statusCode).toBe(409);
    expect((await remove(third, first.userId)).statusCode).toBe(204);
  });
});

describe('the last active admin, under concurrent changes', () => {
  let race: TestApp;
  beforeAll(async () => {
    race = await createTestApp('access-admin-race', ENV);
  });
  afterAll(async () => {
    await race?.close();
  });

  it('two admins demoting themselves at the same moment leave at least one active admin', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await race.loginAs({ role: 'admin' });
      const b = await race.loginAs({ role: 'admin' });
      const demote = (who: LoggedIn) =>
        race.app.inject({
          method: 'PATCH',
          url: `/api/admin/users/${who.userId}`,
          headers: { ...who.headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ role: 'viewer' }),
        });
      const answers = await Promise.all([demote(a), demote(b)]);
      const statuses = answers.map((r) => r.statusCode).sort();
      const admins = await race.ctx.db.kysely
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .where('status', '=', 'approved')
        .where('is_active', '=', 1)
        .execute();
      expect(admins.length, `round ${round}: ${statuses.join(',')}`).toBeGreaterThanOrEqual(1);
      expect(statuses, `round ${round}`).toEqual([200, 409]);
      // back to a single admin for the next round
      await race.ctx.db.kysely.updateTable('users').set({ role: 'viewer' }).execute();
    }
  });
});

// ---------------------------------------------------------------- API clients

describe('admin: API clients', () => {
  it('creates a client: the token is returned once, afp_-prefixed with ≥ 256 random bits', async () => {
    const name = unique('crm');
    const res = await send('POST', '/api/admin/api-clients', { name });
    expect(res.statusCode).toBe(201);
    const { client, token } = res.json<{ client: PublicClient; token: string }>();
    expect(token).toMatch(/^afp_[A-Za-z0-9_-]{43,}$/);
    expect(Buffer.from(token.slice(4), 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(client).toMatchObject({
      name,
      keyPrefix: token.slice(0, 8),
      status: 'active',
      rateLimitPerMinute: 60,
      lastUsedAt: null,
    });
    expect(Object.keys(client)).not.toContain('token');
    expect(JSON.stringify(client)).not.toContain(token.slice(8));
    // Another client gets another token.
    const other = await createClient({ name: unique('crm') });
    expect(other.token).not.toBe(token);
  });

  it('lists clients with the first 8 characters as keyPrefix and never the token or its hash', async () => {
    const { client, token } = await createClient({ name: unique('listed') });
    const res = await send('GET', '/api/admin/api-clients');
    expect(res.statusCode).toBe(200);
    const listed = res.json<{ clients: PublicClient[] }>().clients.find((c) => c.id === client.id);
    expect(listed?.keyPrefix).toBe(token.slice(0, 8));
    expect(listed?.keyPrefix).toHaveLength(8);
    expect(res.body).not.toContain(token);
    expect(res.body).not.toContain(token.slice(8));
    const hash = createHash('sha256').update(token).digest('hex');
    expect(res.body).not.toContain(hash);
    expect(res.body).not.toMatch(/"token/i);
  });

  it('refuses a duplicate name (409) and a bad rate limit (400)', async () => {
    const name = unique('dup');
    await createClient({ name });
    const dup = await send('POST', '/api/admin/api-clients', { name });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<ErrorBody>().error.field).toBe('name');
    const bad = await send('POST', '/api/admin/api-clients', { name: unique('bad'), rateLimitPerMinute: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().error.field).toBe('rateLimitPerMinute');
    const empty = await send('POST', '/api/admin/api-clients', { name: '  ' });
    expect(empty.statusCode).toBe(400);
  });

  it('a client token reads /api/v1 and sends events; last_used_at is set after use', async () => {
    const { client, token } = await createClient({ name: unique('user') });
    expect((await listClients()).find((c) => c.id === client.id)?.lastUsedAt).toBeNull();
    const before = Date.now();
    const read = await bearerGet(token);
    expect(read.statusCode).toBe(200);
    const sent = await postEvent(token, {
      source: 'cellxpert',
      event: 'dep',
      brand: 'accessbrand',
      transaction_id: unique('tx'),
      amount: '1.00',
      currency: 'EUR',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const row = await t.ctx.db.kysely
      .selectFrom('api_clients')
      .select('last_used_at')
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
    expect(row.last_used_at ?? 0).toBeGreaterThanOrEqual(before);
    expect(row.last_used_at ?? 0).toBeLessThanOrEqual(Date.now());
    const listed = (await listClients()).find((c) => c.id === client.id);
    expect(listed?.lastUsedAt).not.toBeNull();
  });

  it('edits name, rate limit and status; an inactive client’s token is refused', async () => {
    const { client, token } = await createClient({ name: unique('edit') });
    const newName = unique('edited');
    const res = await send('PATCH', `/api/admin/api-clients/${client.id}`, {
      name: newName,
      rateLimitPerMinute: 7,
      isActive: false,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ client: PublicClient }>().client).toMatchObject({
      name: newName,
      rateLimitPerMinute: 7,
      status: 'inactive',
    });
    expect((await bearerGet(token)).statusCode).toBe(401);
    expect((await send('PATCH', `/api/admin/api-clients/${client.id}`, { isActive: true })).statusCode).toBe(
      200,
    );
    expect((await bearerGet(token)).statusCode).toBe(200);
  });

  it('wrong, missing, revoked (deactivated or deleted) and malformed tokens all get the same 401 body', async () => {
    const deactivated = await createClient({ name: unique('deact') });
    expect(
      (await send('PATCH', `/api/admin/api-clients/${deactivated.client.id}`, { isActive: false }))
        .statusCode,
    ).toBe(200);
    const deleted = await createClient({ name: unique('deleted') });
    expect((await bearerGet(deleted.token)).statusCode).toBe(200);
    expect((await send('DELETE', `/api/admin/api-clients/${deleted.client.id}`)).statusCode).toBe(204);
    const live = await createClient({ name: unique('live') });

    const answers = [
      await bearerGet(null),
      await bearerGet(`afp_${'B'.repeat(43)}`),
      await bearerGet(deactivated.token),
      await bearerGet(deleted.token),
      await bearerGet('not-a-token'),
      await bearerGet(''),
      await bearerGet(`${live.token}x`),
      await bearerGet(live.token.slice(0, -1)),
      await bearerGet(null, READER_PROBE, { authorization: `Token ${live.token}` }),
      await bearerGet(null, READER_PROBE, { authorization: 'Bearer' }),
    ];
    for (const res of answers) expect(res.statusCode).toBe(401);
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    expect(answers[0]?.json<ErrorBody>().error.code).toBe('unauthorized');
    // and for the client-only route as well
    const events = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { authorization: `Bearer ${deleted.token}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(events.statusCode).toBe(401);
    expect(events.body).toBe(answers[0]?.body);
  });

  it('deletes a client (204): gone from the list, its token refused', async () => {
    const { client, token } = await createClient({ name: unique('gone') });
    expect((await send('DELETE', `/api/admin/api-clients/${client.id}`)).statusCode).toBe(204);
    expect((await listClients()).some((c) => c.id === client.id)).toBe(false);
    expect((await bearerGet(token)).statusCode).toBe(401);
    expect((await send('DELETE', `/api/admin/api-clients/${client.id}`)).statusCode).toBe(404);
  });

  it('the plain token is nowhere in the database after it was used, audited, edited and idempotently posted', async () => {
    const { client, token } = await createClient({ name: unique('secret'), rateLimitPerMinute: 1000 });
    expect((await bearerGet(token)).statusCode).toBe(200);
    const item = {
      source: 'cellxpert',
      event: 'dep',
      brand: 'accessbrand',
      transaction_id: unique('tx'),
      amount: '2.50',
      currency: 'EUR',
    };
    expect((await postEvent(token, item, { 'idempotency-key': unique('idem') })).statusCode).toBe(200);
    expect((await postEvent(token, { source: 'cellxpert' })).statusCode).toBeLessThan(500);
    expect((await postEvent(token, { source: 'no-such-source', event: 'dep' })).statusCode).toBeLessThan(500);
    await send('PATCH', `/api/admin/api-clients/${client.id}`, { rateLimitPerMinute: 999 });
    // A wrong token that shares the real one's prefix must not be stored either.
    const lookalike = `${token.slice(0, 8)}${'Z'.repeat(token.length - 8)}`;
    expect((await bearerGet(lookalike)).statusCode).toBe(401);

    const dump = await dumpDatabase();
    expect(dump.has('api_clients')).toBe(true);
    expect(dump.has('audit_log')).toBe(true);
    expect(tablesContaining(dump, token)).toEqual([]);
    expect(tablesContaining(dump, token.slice(8))).toEqual([]);
    expect(tablesContaining(dump, lookalike.slice(8))).toEqual([]);
    expect(tablesContaining(dump, t.apiToken.slice(8))).toEqual([]);
    const stored = await t.ctx.db.kysely
      .selectFrom('api_clients')
      .select(['token_hash', 'token_prefix'])
      .where('id', '=', client.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(stored.token_prefix).toBe(token.slice(0, 8));
  });
});

describe('logs', () => {
  it('never contain an API token, a session id or a CSRF token, even at trace level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const database = await createTestDatabaseUrl('access-admin-logs');
    const ctx = await createContext(
      parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'trace', INGEST_FLUSH_MS: '2', ...ENV }),
    );
    const app = await buildServer(ctx, { logger: { level: 'trace', stream } });
    app.get(READER_PROBE, { config: { access: 'reader' } }, async () => ({ ok: true }));
    try {
      const now = Date.now();
      const user = await ctx.db.kysely
        .insertInto('users')
        .values({
          telegram_id: '61000001',
          first_name: 'Log',
          last_name: 'Admin',
          username: 'log_admin',
          photo_url: null,
          role: 'admin',
          status: 'approved',
          is_active: 1,
          created_at: now,
          updated_at: now,
          last_login_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const session = await createSession(
        ctx.db,
        Number(user.id),
        { ip: '127.0.0.1', userAgent: 'logs' },
        { idleMs: ctx.config.access.sessionIdleMs, maxMs: ctx.config.access.sessionMaxMs },
      );
      const adminHeaders = {
        cookie: `${SESSION_COOKIE}=${session.id}`,
        'x-csrf-token': session.csrfToken,
        'content-type': 'application/json',
      };
      const created = await app.inject({
        method: 'POST',
        url: '/api/admin/api-clients',
        headers: adminHeaders,
        payload: JSON.stringify({ name: 'logged', rateLimitPerMinute: 2 }),
      });
      expect(created.statusCode).toBe(201);
      const { token } = created.json<{ token: string }>();
      for (let i = 0; i < 3; i++) {
        await app.inject({ method: 'GET', url: READER_PROBE, headers: { authorization: `Bearer ${token}` } });
      }
      await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: '{"source":"nope"}',
      });
      await app.inject({ method: 'GET', url: READER_PROBE, headers: { authorization: `Bearer ${token}x` } });
      await app.inject({ method: 'GET', url: '/api/admin/users', headers: adminHeaders });
      expect(lines.length).toBeGreaterThan(0);
      const log = lines.join('');
      expect(log).not.toContain(token.slice(8));
      expect(log).not.toContain(session.id);
      expect(log).not.toContain(session.csrfToken);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});

describe('API client rate limit', () => {
  it('sends RateLimit-* headers on every answer and 429 with Retry-After on the 4th call in a minute (limit 3)', async () => {
    const { client, token } = await createClient({ name: unique('limited'), rateLimitPerMinute: 3 });
    await awayFromWindowEdge();
    const answers = [
      await bearerGet(token),
      await postEvent(token, { not: 'an event' }),
      await bearerGet(token),
      await bearerGet(token),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 400, 200, 429]);
    answers.forEach((res, i) => {
      expect(res.headers['ratelimit-limit'], `answer ${i}`).toBe('3');
      expect(res.headers['ratelimit-remaining'], `answer ${i}`).toBe(String(Math.max(0, 2 - i)));
      const reset = Number(res.headers['ratelimit-reset']);
      expect(reset, `answer ${i}`).toBeGreaterThanOrEqual(1);
      expect(reset, `answer ${i}`).toBeLessThanOrEqual(60);
    });
    const blocked = answers[3];
    expect(blocked?.json<ErrorBody>().error.code).toBe('rate_limited');
    const retryAfter = Number(blocked?.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    for (const res of answers.slice(0, 3)) expect(res.headers['retry-after']).toBeUndefined();

    // Another client is not affected.
    expect((await bearerGet(t.apiToken)).statusCode).toBe(200);

    // Recovery: once the window is over, calls are allowed again.
    await t.ctx.db.kysely
      .updateTable('rate_limits')
      .set((eb) => ({ window_start: eb('window_start', '-', 60_000) }))
      .where('bucket', '=', `client:${client.id}`)
      .execute();
    const recovered = await bearerGet(token);
    expect(recovered.statusCode).toBe(200);
    expect(recovered.headers['ratelimit-remaining']).toBe('2');
  });

  it('a raised limit applies at once', async () => {
    const { client, token } = await createClient({ name: unique('raised'), rateLimitPerMinute: 1 });
    await awayFromWindowEdge();
    expect((await bearerGet(token)).statusCode).toBe(200);
    expect((await bearerGet(token)).statusCode).toBe(429);
    expect(
      (await send('PATCH', `/api/admin/api-clients/${client.id}`, { rateLimitPerMinute: 10 })).statusCode,
    ).toBe(200);
    const res = await bearerGet(token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-limit']).toBe('10');
  });
});

// ---------------------------------------------------------------- audit

describe('audit log', () => {
  function expectNoSecret(entry: AuditEntry, secrets: string[]) {
    const text = JSON.stringify(entry);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/token_?hash|"token"/i);
  }

  it('records user add, update, end-sessions and delete with actor, target, before/after and IP', async () => {
    const telegramId = uniqueTelegramId();
    const user = await addUser({ telegramId, firstName: 'Audited', role: 'viewer' });
    const added = await lastAudit('user.add', user.id);
    expect(added).toMatchObject({
      actor: adminLabel,
      actorUserId: admin.userId,
      targetType: 'user',
      targetId: String(user.id),
      before: null,
      ip: '127.0.0.1',
    });
    expect(added.after).toMatchObject({ telegramId, firstName: 'Audited', role: 'viewer' });
    expect(Date.parse(added.at)).toBeGreaterThan(Date.now() - 60_000);

    expect((await send('PATCH', `/api/admin/users/${user.id}`, { role: 'admin' })).statusCode).toBe(200);
    const updated = await lastAudit('user.update', user.id);
    expect(updated).toMatchObject({ actor: adminLabel, actorUserId: admin.userId, ip: '127.0.0.1' });
    expect(updated.before).toMatchObject({ role: 'viewer' });
    expect(updated.after).toMatchObject({ role: 'admin' });

    expect((await send('POST', `/api/admin/users/${user.id}/end-sessions`)).statusCode).toBe(200);
    const ended = await lastAudit('user.end_sessions', user.id);
    expect(ended).toMatchObject({ actor: adminLabel, targetType: 'user', ip: '127.0.0.1' });

    expect((await send('DELETE', `/api/admin/users/${user.id}`)).statusCode).toBe(204);
    const deleted = await lastAudit('user.delete', user.id);
    expect(deleted).toMatchObject({ actor: adminLabel, targetType: 'user', after: null, ip: '127.0.0.1' });
    expect(deleted.before).toMatchObject({ telegramId, role: 'admin' });
  });

  it('records API client create, update and delete without the token or its hash', async () => {
    const { client, token } = await createClient({ name: unique('audited') });
    const hash = createHash('sha256').update(token).digest('hex');
    const created = await lastAudit('api_client.create', client.id);
    expect(created).toMatchObject({
      actor: adminLabel,
      actorUserId: admin.userId,
      targetType: 'api_client',
      targetId: String(client.id),
      ip: '127.0.0.1',
    });
    expect(created.after).toMatchObject({ name: client.name, keyPrefix: token.slice(0, 8) });
    expectNoSecret(created, [token.slice(8), hash]);

    expect((await send('PATCH', `/api/admin/api-clients/${client.id}`, { isActive: false })).statusCode).toBe(
      200,
    );
    const updated = await lastAudit('api_client.update', client.id);
    expect(updated.before).toMatchObject({ status: 'active' });
    expect(updated.after).toMatchObject({ status: 'inactive' });
    expectNoSecret(updated, [token.slice(8), hash]);

    expect((await send('DELETE', `/api/admin/api-clients/${client.id}`)).statusCode).toBe(204);
    const deleted = await lastAudit('api_client.delete', client.id);
    expect(deleted.before).toMatchObject({ name: client.name });
    expectNoSecret(deleted, [token.slice(8), hash]);
  });

  it('records a login success with the user, method and IP', async () => {
    const telegramId = uniqueTelegramId();
    const res = await telegramLogin(
      signTelegram({
        id: telegramId,
        first_name: 'Log',
        username: `log_${telegramId}`,
        auth_date: nowSeconds(),
      }),
      '10.20.30.40',
    );
    expect(res.statusCode, res.body).toBe(200);
    const userId = res.json<{ user: PublicUser }>().user.id;
    const entry = await lastAudit('login.success', userId);
    expect(entry).toMatchObject({
      actor: `@log_${telegramId}`,
      actorUserId: userId,
      targetType: 'user',
      targetId: String(userId),
      ip: '10.20.30.40',
      after: { method: 'telegram' },
    });
    const cookie = res.cookies.find((c) => c.name === 'affpanel_session')?.value ?? '';
    expectNoSecret(entry, [cookie, res.json<{ csrfToken: string }>().csrfToken]);
  });

  it('records a login failure (bad signature) with the reason and IP, and no login data secret', async () => {
    const data: Record<string, string> = {
      ...signTelegram({ id: uniqueTelegramId(), first_name: 'Bad', auth_date: nowSeconds() }),
      first_name: 'Evil',
    };
    const res = await telegramLogin(data, '10.50.60.70');
    expect(res.statusCode).toBe(401);
    const page = await audit({ action: 'login.failure', limit: 5 });
    const entry = page.entries.find((e) => e.ip === '10.50.60.70');
    expect(entry).toMatchObject({ actor: 'anonymous', actorUserId: null, action: 'login.failure' });
    expect(entry?.after).toMatchObject({ method: 'telegram', reason: expect.any(String) });
    expect(data.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entry)).not.toContain(data.hash);
  });

  it('records a login failure for an unknown login link', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/auth/link/${'k'.repeat(43)}`,
      remoteAddress: '10.50.60.71',
    });
    expect(res.statusCode).toBe(401);
    const page = await audit({ action: 'login.failure', limit: 5 });
    const entry = page.entries.find((e) => e.ip === '10.50.60.71');
    expect(entry?.after).toMatchObject({ method: 'link' });
    expect(JSON.stringify(entry)).not.toContain('k'.repeat(43));
  });

  it('records a refused login of a deactivated user as a login failure', async () => {
    const telegramId = uniqueTelegramId();
    await t.loginAs({ telegramId, isActive: false });
    const res = await telegramLogin(
      signTelegram({ id: telegramId, first_name: 'Off', auth_date: nowSeconds() }),
      '10.50.60.72',
    );
    expect(res.statusCode).toBe(403);
    const page = await audit({ action: 'login.failure', limit: 20 });
    expect(page.entries.some((e) => e.ip === '10.50.60.72')).toBe(true);
  });

  it('filters by action, actor and target', async () => {
    const user = await addUser({ telegramId: uniqueTelegramId(), role: 'viewer' });
    await send('PATCH', `/api/admin/users/${user.id}`, { firstName: 'One' });
    await send('PATCH', `/api/admin/users/${user.id}`, { firstName: 'Two' });

    const byAction = await audit({ action: 'user.update', limit: 200 });
    expect(byAction.entries.length).toBeGreaterThanOrEqual(2);
    expect(byAction.entries.every((e) => e.action === 'user.update')).toBe(true);

    const byActor = await audit({ actor: adminLabel, limit: 200 });
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((e) => e.actor === adminLabel)).toBe(true);

    const byTarget = await audit({ targetType: 'user', targetId: String(user.id) });
    expect(byTarget.entries.map((e) => e.action)).toEqual(['user.update', 'user.update', 'user.add']);
    expect(byTarget.entries.map((e) => (e.after as { firstName: string }).firstName)).toEqual([
      'Two',
      'One',
      '',
    ]);

    const none = await audit({ actor: '@nobody_at_all' });
    expect(none).toEqual({ entries: [], nextBefore: null });

    // Names as they are now, beside the ids.
    const [latest] = byTarget.entries;
    expect(latest?.targetName).toMatch(/^Two\b/);
    expect(latest?.actorName).not.toBeNull();
    // An action prefix finds the whole family; an actor filter matches a part, in any case.
    const family = await audit({ action: 'USER', limit: 200 });
    expect(family.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.add', 'user.update']));
    expect(family.entries.every((e) => e.action.startsWith('user.'))).toBe(true);
    const part = await audit({ actor: adminLabel.slice(1, 6).toUpperCase(), limit: 200 });
    expect(part.entries.map((e) => e.id)).toEqual(expect.arrayContaining(byActor.entries.map((e) => e.id)));
    // Wildcards are text.
    expect((await audit({ action: '%' })).entries).toEqual([]);
  });

  it('pages newest first with before / nextBefore, without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) await addUser({ telegramId: uniqueTelegramId(), role: 'viewer' });
    const all = await audit({ action: 'user.add', limit: 200 });
    expect(all.nextBefore).toBeNull();
    expect(all.entries.length).toBeGreaterThanOrEqual(5);
    const ids = all.entries.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    const paged: number[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const page: AuditPage = await audit({
        action: 'user.add',
        limit: 2,
        ...(before === null ? {} : { before }),
      });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries.map((e) => e.id));
      before = page.nextBefore;
      if (before !== null) expect(before).toBe(page.entries.at(-1)?.id);
      pages += 1;
    } while (before !== null && pages < 100);
    expect(paged).toEqual(ids);
  });

  it('refuses bad audit queries with 400', async () => {
    const res = await send('GET', '/api/admin/audit?limit=0');
    expect(res.statusCode).toBe(400);
    expect((await send('GET', '/api/admin/audit?before=abc')).statusCode).toBe(400);
  });

  it('is for admins only: a viewer gets 403, a pending user 403, an API client 403, nobody 401', async () => {
    const viewer = await t.loginAs({ role: 'viewer' });
    const res = await send('GET', '/api/admin/audit', undefined, viewer);
    expect(res.statusCode).toBe(403);
    const pending = await t.loginAs({ status: 'pending' });
    expect((await send('GET', '/api/admin/audit', undefined, pending)).statusCode).toBe(403);
    expect((await bearerGet(t.apiToken, '/api/admin/audit')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/audit' })).statusCode).toBe(401);
  });
});
