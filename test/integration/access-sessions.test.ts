/**
 * People's access end to end: Telegram login (redirect callback and JSON) with data signed here,
 * the PENDING state, session cookies and their attributes, rotation, logout, idle and absolute
 * expiry, revocation when an admin changes a user, one-time login links, CSRF, the per-IP login
 * rate limit, and how session ids are stored (only their SHA-256).
 */
import { createHash, createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginLink } from '../../src/access/login-links.js';
import { SESSION_COOKIE } from '../../src/access/sessions.js';
import { createTestApp, query, type TestApp } from '../helpers/test-app.js';

const BOT_TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ENV = { TELEGRAM_LOGIN_BOT_TOKEN: BOT_TOKEN, LOGIN_RATE_LIMIT_PER_MINUTE: '1000' };
const READER_PROBE = '/api/v1/__access_probe';

let t: TestApp;
let admin: Awaited<ReturnType<TestApp['loginAs']>>;

beforeAll(async () => {
  t = await createTestApp('access-sessions', ENV);
  t.app.get(READER_PROBE, { config: { access: 'reader' } }, async () => ({ ok: true }));
  admin = await t.loginAs({ role: 'admin' });
});

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- helpers

/** Telegram's documented algorithm, independent of the app's helper. */
function signTelegram(fields: Record<string, string>, botToken = BOT_TOKEN): Record<string, string> {
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  const secretKey = createHash('sha256').update(botToken).digest();
  return { ...fields, hash: createHmac('sha256', secretKey).update(dataCheckString).digest('hex') };
}

let telegramCounter = 0;
function newTelegramId(): string {
  telegramCounter += 1;
  return String(70_000_000 + process.pid * 1000 + telegramCounter);
}

let dataCounter = 0;
const BASE_AUTH_DATE = Math.floor(Date.now() / 1000);
/** Fresh signed widget data; each call's auth_date is a second earlier, so a re-login gets a new hash. */
function telegramData(overrides: Record<string, string> = {}): Record<string, string> {
  dataCounter += 1;
  const id = overrides.id ?? newTelegramId();
  return signTelegram({
    id,
    first_name: 'Tele',
    last_name: 'Gram',
    username: `tg_${id}`,
    auth_date: String(BASE_AUTH_DATE - dataCounter),
    ...overrides,
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function callbackLogin(
  data: Record<string, string>,
  headers: Record<string, string> = {},
  app: TestApp = t,
): Promise<LightMyRequestResponse> {
  return app.app.inject({ method: 'GET', url: `/auth/telegram/callback?${query(data)}`, headers });
}

function jsonLogin(
  data: Record<string, string>,
  headers: Record<string, string> = {},
  remoteAddress?: string,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/telegram',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(data),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

interface Cookie {
  name: string;
  value: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  maxAge?: number;
}

function sessionCookieOf(res: LightMyRequestResponse): Cookie | undefined {
  return (res.cookies as Cookie[]).find((c) => c.name === SESSION_COOKIE && c.value !== '');
}

function rawSetCookie(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  return all.find((h) => h.startsWith(`${SESSION_COOKIE}=`)) ?? '';
}

function cookieHeader(value: string): Record<string, string> {
  return { cookie: `${SESSION_COOKIE}=${value}` };
}

function me(cookieValue: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: '/api/auth/me', headers: cookieHeader(cookieValue) });
}

interface MeBody {
  user: { id: number; role: string; status: string; telegramId: string | null };
  csrfToken: string;
}

/** Logs in with fresh Telegram data; returns the session cookie value and CSRF token. */
async function telegramSession(
  overrides: Record<string, string> = {},
): Promise<{ cookie: string; csrf: string; userId: number }> {
  const res = await jsonLogin(telegramData(overrides));
  expect(res.statusCode, res.body).toBe(200);
  const cookie = sessionCookieOf(res);
  if (!cookie) throw new Error('no session cookie');
  const body = res.json<MeBody>();
  return { cookie: cookie.value, csrf: body.csrfToken, userId: body.user.id };
}

function adminPatchUser(id: number, body: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'PATCH',
    url: `/api/admin/users/${id}`,
    headers: { ...admin.headers, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

/** Fixed one-minute windows: wait when the current one is about to end, so a burst stays in one. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 55_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
}

// ---------------------------------------------------------------- Telegram login

describe('Telegram login', () => {
  it('a first login through the callback creates a PENDING viewer and sets an HttpOnly, SameSite=Lax, Path=/ session cookie (not Secure over http)', async () => {
    const data = telegramData({ first_name: 'Fresh', last_name: 'Person' });
    const res = await callbackLogin(data);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const cookie = sessionCookieOf(res);
    expect(cookie).toBeDefined();
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite?.toLowerCase()).toBe('lax');
    expect(cookie?.path).toBe('/');
    expect(cookie?.secure).not.toBe(true);
    const raw = rawSetCookie(res);
    expect(raw).toMatch(/;\s*HttpOnly/i);
    expect(raw).toMatch(/;\s*SameSite=Lax/i);
    expect(raw).toMatch(/;\s*Path=\//);
    expect(raw).not.toMatch(/;\s*Secure/i);

    const user = await t.ctx.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('telegram_id', '=', data.id ?? '')
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('pending');
    expect(user.role).toBe('viewer');
    expect(user.is_active).toBe(1);
    expect(user.first_name).toBe('Fresh');
    expect(user.username).toBe(data.username);
  });

  it('a first login through POST /api/auth/telegram answers the pending user and a CSRF token', async () => {
    const data = telegramData();
    const res = await jsonLogin(data);
    expect(res.statusCode).toBe(200);
    const body = res.json<MeBody>();
    expect(body.user).toMatchObject({ telegramId: data.id, role: 'viewer', status: 'pending' });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(sessionCookieOf(res)?.httpOnly).toBe(true);
  });

  it('a pending user may see /api/auth/me but gets 403 on /api/v1 reader routes and on /api/admin/users', async () => {
    const { cookie, csrf } = await telegramSession();
    const whoami = await me(cookie);
    expect(whoami.statusCode).toBe(200);
    expect(whoami.json<MeBody>().user.status).toBe('pending');
    expect(whoami.json<MeBody>().csrfToken).toBe(csrf);

    const readerUrls = [
      READER_PROBE,
      ...t.app.routeTable
        .filter((r) => r.method === 'GET' && r.url.startsWith('/api/v1/') && r.url !== READER_PROBE)
        .map((r) => r.url.replace(/:\w+/g, '1')),
    ];
    for (const url of readerUrls) {
      const res = await t.app.inject({ method: 'GET', url, headers: cookieHeader(cookie) });
      expect(res.statusCode, url).toBe(403);
    }
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/admin/users',
      headers: cookieHeader(cookie),
    });
    expect(users.statusCode).toBe(403);
    expect(users.json<{ error: { code: string } }>().error.code).toBe('forbidden');
    const events = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...cookieHeader(cookie), 'x-csrf-token': csrf, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(events.statusCode).toBe(403);
  });

  it('a login for an existing (admin-added) user reuses that user and keeps its role and status', async () => {
    const telegramId = newTelegramId();
    const add = await t.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ telegramId, firstName: 'Known', role: 'viewer' }),
    });
    expect(add.statusCode).toBe(201);
    const { cookie } = await telegramSession({ id: telegramId });
    const body = (await me(cookie)).json<MeBody>();
    expect(body.user).toMatchObject({ telegramId, role: 'viewer', status: 'approved' });
    const rows = await t.ctx.db.kysely
      .selectFrom('users')
      .select('id')
      .where('telegram_id', '=', telegramId)
      .execute();
    expect(rows).toHaveLength(1);
    const reader = await t.app.inject({ method: 'GET', url: READER_PROBE, headers: cookieHeader(cookie) });
    expect(reader.statusCode).toBe(200);
  });

  it('a reused login hash is refused with 401 on either endpoint and opens no second session', async () => {
    const data = telegramData();
    expect((await jsonLogin(data)).statusCode).toBe(200);
    const sessionsBefore = await t.ctx.db.kysely.selectFrom('sessions').select('id_hash').execute();
    const again = await jsonLogin(data);
    expect(again.statusCode).toBe(401);
    expect(sessionCookieOf(again)).toBeUndefined();
    const viaCallback = await callbackLogin(data);
    expect(viaCallback.statusCode).toBe(401);
    expect(sessionCookieOf(viaCallback)).toBeUndefined();
    const sessionsAfter = await t.ctx.db.kysely.selectFrom('sessions').select('id_hash').execute();
    expect(sessionsAfter).toHaveLength(sessionsBefore.length);
  });

  it('stale login data (auth_date older than the max age) is refused with 401 and creates no user', async () => {
    const stale = Math.floor(Date.now() / 1000) - t.config.access.telegramMaxAgeSeconds - 60;
    const data = telegramData({ auth_date: String(stale) });
    const res = await callbackLogin(data);
    expect(res.statusCode).toBe(401);
    expect(sessionCookieOf(res)).toBeUndefined();
    const user = await t.ctx.db.kysely
      .selectFrom('users')
      .select('id')
      .where('telegram_id', '=', data.id ?? '')
      .executeTakeFirst();
    expect(user).toBeUndefined();
  });

  it('data signed with another bot token, or tampered after signing, is refused with 401', async () => {
    const foreign = signTelegram(
      { id: newTelegramId(), first_name: 'X', auth_date: String((Date.now() / 1000) | 0) },
      '999:ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    );
    expect((await jsonLogin(foreign)).statusCode).toBe(401);
    const tampered = { ...telegramData(), id: newTelegramId() };
    expect((await jsonLogin(tampered)).statusCode).toBe(401);
  });

  it('a malformed callback query (a repeated field) is a 4xx, not a server error', async () => {
    const data = telegramData();
    const res = await t.app.inject({
      method: 'GET',
      url: `/auth/telegram/callback?${query(data)}&id=1`,
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });

  it('a deactivated user’s Telegram login is refused with 403 and sets no cookie', async () => {
    const telegramId = newTelegramId();
    await t.loginAs({ telegramId, isActive: false });
    const res = await jsonLogin(telegramData({ id: telegramId }));
    expect(res.statusCode).toBe(403);
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('a rejected user’s Telegram login is refused with 403 and sets no cookie', async () => {
    const telegramId = newTelegramId();
    await t.loginAs({ telegramId, status: 'rejected' });
    const res = await callbackLogin(telegramData({ id: telegramId }));
    expect(res.statusCode).toBe(403);
    expect(sessionCookieOf(res)).toBeUndefined();
  });
});

describe('Secure cookie', () => {
  let https: TestApp;
  beforeAll(async () => {
    https = await createTestApp('access-sessions-https', {
      ...ENV,
      PUBLIC_BASE_URL: 'https://panel.example.com',
    });
  });
  afterAll(async () => {
    await https?.close();
  });

  it('is Secure when PUBLIC_BASE_URL is https', async () => {
    const res = await callbackLogin(telegramData(), {}, https);
    expect(res.statusCode).toBe(303);
    const cookie = sessionCookieOf(res);
    expect(cookie?.secure).toBe(true);
    expect(cookie?.httpOnly).toBe(true);
    expect(rawSetCookie(res)).toMatch(/;\s*Secure/i);
  });
});

// ---------------------------------------------------------------- session lifecycle

describe('session lifecycle', () => {
  it('login rotates the session: the cookie sent with the login request stops working', async () => {
    const telegramId = newTelegramId();
    const first = await telegramSession({ id: telegramId });
    expect((await me(first.cookie)).statusCode).toBe(200);
    const res = await jsonLogin(telegramData({ id: telegramId }), cookieHeader(first.cookie));
    expect(res.statusCode).toBe(200);
    const second = sessionCookieOf(res);
    expect(second?.value).toBeDefined();
    expect(second?.value).not.toBe(first.cookie);
    expect((await me(first.cookie)).statusCode).toBe(401);
    expect((await me(second?.value ?? '')).statusCode).toBe(200);
    expect(res.json<MeBody>().csrfToken).not.toBe(first.csrf);
  });

  it('a one-time link login also rotates the session the browser came with', async () => {
    const first = await t.loginAs({ role: 'viewer' });
    const token = await createLoginLink(t.ctx.db, first.userId);
    const res = await t.app.inject({
      method: 'GET',
      url: `/auth/link/${token}`,
      headers: { cookie: first.cookie },
    });
    expect(res.statusCode).toBe(303);
    const oldValue = first.cookie.slice(SESSION_COOKIE.length + 1);
    expect((await me(oldValue)).statusCode).toBe(401);
    expect((await me(sessionCookieOf(res)?.value ?? '')).statusCode).toBe(200);
  });

  it('logout ends the session and clears the cookie', async () => {
    const { cookie, csrf } = await telegramSession();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...cookieHeader(cookie), 'x-csrf-token': csrf },
    });
    expect(res.statusCode).toBe(200);
    const cleared = (res.cookies as Cookie[]).find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect((await me(cookie)).statusCode).toBe(401);
    const row = await t.ctx.db.kysely
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', '=', sha256(cookie))
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('a session idle longer than SESSION_IDLE_HOURS ends (401)', async () => {
    const { cookie } = await telegramSession();
    const idleMs = t.config.access.sessionIdleMs;
    await t.ctx.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: Date.now() - idleMs - 60_000 })
      .where('id_hash', '=', sha256(cookie))
      .execute();
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('a session used within the idle time survives, and use moves last_seen_at forward', async () => {
    const { cookie } = await telegramSession();
    const earlier = Date.now() - t.config.access.sessionIdleMs + 10 * 60_000;
    await t.ctx.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: earlier })
      .where('id_hash', '=', sha256(cookie))
      .execute();
    expect((await me(cookie)).statusCode).toBe(200);
    const row = await t.ctx.db.kysely
      .selectFrom('sessions')
      .select('last_seen_at')
      .where('id_hash', '=', sha256(cookie))
      .executeTakeFirstOrThrow();
    expect(row.last_seen_at).toBeGreaterThan(earlier);
  });

  it('a session past its absolute expiry ends (401) even if used a moment ago', async () => {
    const { cookie } = await telegramSession();
    await t.ctx.db.kysely
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1000, last_seen_at: Date.now() })
      .where('id_hash', '=', sha256(cookie))
      .execute();
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('the session cookie lives no longer than the absolute expiry (Max-Age)', async () => {
    const res = await jsonLogin(telegramData());
    const cookie = sessionCookieOf(res);
    expect(cookie?.maxAge).toBe(Math.floor(t.config.access.sessionMaxMs / 1000));
  });

  it('an unknown or garbled session cookie is 401', async () => {
    expect((await me('x'.repeat(43))).statusCode).toBe(401);
    expect((await me('short')).statusCode).toBe(401);
    expect((await me('y'.repeat(500))).statusCode).toBe(401);
  });
});

// ---------------------------------------------------------------- admin changes

describe('an admin changing a user', () => {
  it('approving a pending user ends that user’s sessions at once', async () => {
    const { cookie, userId } = await telegramSession();
    expect((await me(cookie)).statusCode).toBe(200);
    const res = await adminPatchUser(userId, { status: 'approved' });
    expect(res.statusCode).toBe(200);
    expect((await me(cookie)).statusCode).toBe(401);
    // The next login finds the user approved.
    const telegramId =
      (
        await t.ctx.db.kysely
          .selectFrom('users')
          .select('telegram_id')
          .where('id', '=', userId)
          .executeTakeFirstOrThrow()
      ).telegram_id ?? '';
    const next = await telegramSession({ id: telegramId });
    const reader = await t.app.inject({
      method: 'GET',
      url: READER_PROBE,
      headers: cookieHeader(next.cookie),
    });
    expect(reader.statusCode).toBe(200);
  });

  it('changing a user’s role ends that user’s sessions at once', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } }))
        .statusCode,
    ).toBe(200);
    expect((await adminPatchUser(user.userId, { role: 'admin' })).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } });
    expect(res.statusCode).toBe(401);
  });

  it('deactivating a user ends that user’s sessions at once', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    expect((await adminPatchUser(user.userId, { isActive: false })).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } });
    expect(res.statusCode).toBe(401);
    const left = await t.ctx.db.kysely
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', user.userId)
      .execute();
    expect(left).toHaveLength(0);
  });

  it('rejecting a user ends that user’s sessions at once', async () => {
    const { cookie, userId } = await telegramSession();
    expect((await adminPatchUser(userId, { status: 'rejected' })).statusCode).toBe(200);
    expect((await me(cookie)).statusCode).toBe(401);
  });

  it('“end sessions” ends every session of the user, and only theirs', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    const bystander = await t.loginAs({ role: 'viewer' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/admin/users/${user.userId}/end-sessions`,
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ ended: number }>().ended).toBe(1);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: user.cookie } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: bystander.cookie } }))
        .statusCode,
    ).toBe(200);
  });

  it('role and status are read on every request: a change in the database applies to the very next request', async () => {
    const user = await t.loginAs({ role: 'admin' });
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
    expect((await get('/api/admin/users')).statusCode).toBe(200);
    await t.ctx.db.kysely
      .updateTable('users')
      .set({ role: 'viewer' })
      .where('id', '=', user.userId)
      .execute();
    expect((await get('/api/admin/users')).statusCode).toBe(403);
    expect((await get(READER_PROBE)).statusCode).toBe(200);
    await t.ctx.db.kysely.updateTable('users').set({ role: 'admin' }).where('id', '=', user.userId).execute();
    expect((await get('/api/admin/users')).statusCode).toBe(200);
    await t.ctx.db.kysely
      .updateTable('users')
      .set({ status: 'pending' })
      .where('id', '=', user.userId)
      .execute();
    expect((await get(READER_PROBE)).statusCode).toBe(403);
    expect((await get('/api/auth/me')).statusCode).toBe(200);
    await t.ctx.db.kysely.updateTable('users').set({ is_active: 0 }).where('id', '=', user.userId).execute();
    expect((await get('/api/auth/me')).statusCode).toBe(401);
  });

  it('after an admin changes a role, the user’s next login carries the new role', async () => {
    const { userId } = await telegramSession();
    expect((await adminPatchUser(userId, { status: 'approved', role: 'admin' })).statusCode).toBe(200);
    const telegramId =
      (
        await t.ctx.db.kysely
          .selectFrom('users')
          .select('telegram_id')
          .where('id', '=', userId)
          .executeTakeFirstOrThrow()
      ).telegram_id ?? '';
    const next = await telegramSession({ id: telegramId });
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/admin/users',
      headers: cookieHeader(next.cookie),
    });
    expect(users.statusCode).toBe(200);
  });
});

// ---------------------------------------------------------------- one-time links

describe('one-time login links', () => {
  it('a link logs its user in once, then answers 401', async () => {
    const user = await t.loginAs({ role: 'admin' });
    const token = await createLoginLink(t.ctx.db, user.userId);
    const first = await t.app.inject({ method: 'GET', url: `/auth/link/${token}` });
    expect(first.statusCode).toBe(303);
    const cookie = sessionCookieOf(first);
    expect(cookie?.httpOnly).toBe(true);
    const body = (await me(cookie?.value ?? '')).json<MeBody>();
    expect(body.user.id).toBe(user.userId);
    const second = await t.app.inject({ method: 'GET', url: `/auth/link/${token}` });
    expect(second.statusCode).toBe(401);
    expect(sessionCookieOf(second)).toBeUndefined();
  });

  it('an expired link answers 401', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    const token = await createLoginLink(t.ctx.db, user.userId, Date.now() - 2 * 3600_000);
    const res = await t.app.inject({ method: 'GET', url: `/auth/link/${token}` });
    expect(res.statusCode).toBe(401);
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('a browser opening a used link gets a page that leads back to the login, with the same status', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/auth/link/${'y'.repeat(43)}`,
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('This login link is unknown, used or expired.');
    expect(res.body).toContain('href="/login"');
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('an unknown link answers 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/auth/link/${'z'.repeat(43)}` });
    expect(res.statusCode).toBe(401);
  });

  it('a link of a deactivated user answers 403', async () => {
    const user = await t.loginAs({ role: 'viewer', isActive: false });
    const token = await createLoginLink(t.ctx.db, user.userId);
    const res = await t.app.inject({ method: 'GET', url: `/auth/link/${token}` });
    expect(res.statusCode).toBe(403);
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('only the link token’s SHA-256 is stored', async () => {
    const user = await t.loginAs({ role: 'viewer' });
    const token = await createLoginLink(t.ctx.db, user.userId);
    const rows = await t.ctx.db.kysely.selectFrom('login_links').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.some((r) => r.token_hash === sha256(token))).toBe(true);
  });
});

// ---------------------------------------------------------------- CSRF

describe('CSRF', () => {
  it('a POST with a session but without X-CSRF-Token is 403', async () => {
    const { cookie } = await telegramSession();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: cookieHeader(cookie),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('forbidden');
    expect((await me(cookie)).statusCode).toBe(200);
  });

  it('a POST with a wrong X-CSRF-Token (or another session’s) is 403', async () => {
    const { cookie } = await telegramSession();
    const other = await telegramSession();
    for (const token of ['wrong', '', other.csrf]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { ...cookieHeader(cookie), 'x-csrf-token': token },
      });
      expect(res.statusCode, token).toBe(403);
    }
    expect((await me(cookie)).statusCode).toBe(200);
  });

  it('a POST with the session’s own X-CSRF-Token is not 403', async () => {
    const { cookie, csrf } = await telegramSession();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...cookieHeader(cookie), 'x-csrf-token': csrf },
    });
    expect(res.statusCode).toBe(200);
  });

  it('admin PATCH and DELETE need the CSRF token too', async () => {
    const target = await t.loginAs({ role: 'viewer' });
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${target.userId}`,
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ role: 'admin' }),
    });
    expect(patch.statusCode).toBe(403);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${target.userId}`,
      headers: { cookie: admin.cookie },
    });
    expect(del.statusCode).toBe(403);
    const row = await t.ctx.db.kysely
      .selectFrom('users')
      .select('role')
      .where('id', '=', target.userId)
      .executeTakeFirst();
    expect(row?.role).toBe('viewer');
  });
});

// ---------------------------------------------------------------- login rate limit

describe('login rate limit', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await createTestApp('access-sessions-ratelimit', { ...ENV, LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  function attempt(remoteAddress: string, data: Record<string, string> = telegramData()) {
    return limited.app.inject({
      method: 'POST',
      url: '/api/auth/telegram',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(data),
      remoteAddress,
    });
  }

  it('the 4th login attempt in a minute from one IP is 429 with Retry-After; another IP is fine', async () => {
    await awayFromWindowEdge();
    const first = await attempt('10.1.1.1');
    expect(first.statusCode).toBe(200);
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expect((await attempt('10.1.1.1', { id: '1', hash: 'bad' })).statusCode).toBe(401);
    expect((await attempt('10.1.1.1')).statusCode).toBe(200);
    const fourth = await attempt('10.1.1.1');
    expect(fourth.statusCode).toBe(429);
    const retryAfter = Number(fourth.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(fourth.headers['ratelimit-remaining']).toBe('0');
    expect(sessionCookieOf(fourth)).toBeUndefined();
    expect((await attempt('10.2.2.2')).statusCode).toBe(200);
  });

  it('login links share the per-IP limit', async () => {
    await awayFromWindowEdge();
    const ip = '10.3.3.3';
    for (let i = 0; i < 3; i++) {
      const res = await limited.app.inject({
        method: 'GET',
        url: `/auth/link/${'q'.repeat(43)}`,
        remoteAddress: ip,
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await limited.app.inject({
      method: 'GET',
      url: `/auth/link/${'q'.repeat(43)}`,
      remoteAddress: ip,
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });

  it('recovers when the window is over', async () => {
    await awayFromWindowEdge();
    const ip = '10.4.4.4';
    for (let i = 0; i < 3; i++) await attempt(ip);
    expect((await attempt(ip)).statusCode).toBe(429);
    await limited.ctx.db.kysely
      .updateTable('rate_limits')
      .set((eb) => ({ window_start: eb('window_start', '-', 60_000) }))
      .where('bucket', '=', `login:${ip}`)
      .execute();
    expect((await attempt(ip)).statusCode).toBe(200);
  });
});

// ---------------------------------------------------------------- session ids

describe('session ids', () => {
  it('the cookie carries ≥ 256 bits (≥ 43 base64url characters) and only its SHA-256 is stored', async () => {
    const values: string[] = [];
    for (let i = 0; i < 5; i++) values.push((await telegramSession()).cookie);
    expect(new Set(values).size).toBe(values.length);
    const rows = await t.ctx.db.kysely.selectFrom('sessions').selectAll().execute();
    const dump = JSON.stringify(rows);
    for (const value of values) {
      expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(Buffer.from(value, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(rows.filter((r) => r.id_hash === sha256(value))).toHaveLength(1);
      expect(dump).not.toContain(value);
    }
  });

  it('the CSRF token is not derived from, nor equal to, the session id', async () => {
    const { cookie, csrf } = await telegramSession();
    expect(csrf).not.toBe(cookie);
    expect(csrf).not.toBe(sha256(cookie));
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });
});
