/**
 * The role × route matrix, generated from `app.routeTable` so a new route cannot be forgotten:
 * every route is called by every kind of caller (anonymous, pending, rejected, deactivated,
 * viewer, admin, API client, API client with a wrong token), and access is refused (401/403)
 * exactly where the route's access level says. A second matrix runs the same callers against
 * probe routes of every level, so levels no real route uses yet are still proven.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/access/api-clients.js';
import { ACCESS_LEVELS, type AccessLevel } from '../../src/access/guards.js';
import { createSession, SESSION_COOKIE } from '../../src/access/sessions.js';
import type { RouteEntry } from '../../src/server.js';
import { createTestApp } from '../helpers/test-app.js';

const ENV = {
  TELEGRAM_LOGIN_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
};

const t = await createTestApp('access-matrix', ENV);
afterAll(async () => {
  await t.close();
});

/** The app's own routes, before this file adds its probe routes. */
const ROUTES: RouteEntry[] = [...t.app.routeTable];

// Records that `:id` names, so an admin's allowed DELETE or end-sessions only hits these.
const sacrificialUser = await t.ctx.db.kysely
  .insertInto('users')
  .values({
    telegram_id: '5550001',
    first_name: 'Sacrificial',
    last_name: '',
    username: 'sacrificial',
    photo_url: null,
    role: 'viewer',
    status: 'approved',
    is_active: 1,
    created_at: Date.now(),
    updated_at: Date.now(),
    last_login_at: null,
  })
  .returning('id')
  .executeTakeFirstOrThrow();
const sacrificialClient = await createApiClient(t.ctx.db, { name: 'sacrificial-client' }, null);

const pending = await t.loginAs({ status: 'pending' });
const rejected = await t.loginAs({ status: 'rejected' });
const deactivated = await t.loginAs({ isActive: false });
const viewer = await t.loginAs({ role: 'viewer' });
const admin = await t.loginAs({ role: 'admin' });
const { token: clientToken } = await createApiClient(
  t.ctx.db,
  { name: 'matrix-client', rateLimitPerMinute: 100_000 },
  null,
);
const WRONG_TOKEN = `afp_${'A'.repeat(43)}`;

const CALLERS = [
  'anonymous',
  'pending',
  'rejected',
  'deactivated',
  'viewer',
  'admin',
  'client',
  'wrong-token',
] as const;
type CallerName = (typeof CALLERS)[number];

const USER_OF: Partial<Record<CallerName, number>> = {
  pending: pending.userId,
  rejected: rejected.userId,
  deactivated: deactivated.userId,
  viewer: viewer.userId,
  admin: admin.userId,
};

/**
 * A fresh session per request: a rejected or deactivated user's session is deleted on first use,
 * and logout or end-sessions would otherwise spoil the next row of the matrix.
 */
async function headersFor(caller: CallerName): Promise<Record<string, string>> {
  if (caller === 'anonymous') return {};
  if (caller === 'client') return { authorization: `Bearer ${clientToken}` };
  if (caller === 'wrong-token') return { authorization: `Bearer ${WRONG_TOKEN}` };
  const userId = USER_OF[caller];
  if (userId === undefined) throw new Error(`no user for ${caller}`);
  const session = await createSession(
    t.ctx.db,
    userId,
    { ip: '127.0.0.1', userAgent: 'matrix' },
    { idleMs: t.config.access.sessionIdleMs, maxMs: t.config.access.sessionMaxMs },
  );
  return { cookie: `${SESSION_COOKIE}=${session.id}`, 'x-csrf-token': session.csrfToken };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function fillParams(url: string): string {
  return url.replace(/:(\w+)/g, (_match, name: string) => {
    if (name === 'id' && url.includes('/users/')) return String(sacrificialUser.id);
    if (name === 'id' && url.includes('/api-clients/')) return String(sacrificialClient.client.id);
    if (name === 'source') return 'cellxpert';
    if (name === 'token') return 'dummy-token-that-is-long-enough-to-look-real';
    return '1';
  });
}

async function call(
  method: string,
  url: string,
  headers: Record<string, string>,
): Promise<LightMyRequestResponse> {
  if (UNSAFE.has(method)) {
    return t.app.inject({
      method: method as 'POST',
      url: fillParams(url),
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{}',
    });
  }
  return t.app.inject({ method: method as 'GET', url: fillParams(url), headers });
}

function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    const body: unknown = res.json();
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const error = (body as { error: unknown }).error;
      if (typeof error === 'object' && error !== null && 'code' in error) {
        const code = (error as { code: unknown }).code;
        return typeof code === 'string' ? code : undefined;
      }
    }
  } catch {
    // not JSON: no error code
  }
  return undefined;
}

type Expected = 'allowed' | 401 | 403;

/** What the access rules promise for a caller on a route of a level. */
function expected(level: AccessLevel, caller: CallerName): Expected | 'public' {
  if (level === 'public') return 'public';
  if (caller === 'anonymous' || caller === 'wrong-token') return 401;
  // A rejected or deactivated user's session is refused outright.
  if (caller === 'rejected' || caller === 'deactivated') return 401;
  if (caller === 'client') return level === 'reader' || level === 'client' ? 'allowed' : 403;
  if (level === 'client') return 403;
  if (level === 'session') return 'allowed';
  if (caller === 'pending') return 403;
  if (level === 'admin') return caller === 'admin' ? 'allowed' : 403;
  return 'allowed'; // viewer, reader: an approved viewer or admin
}

/**
 * The level the product contract gives a URL, where the URL alone decides it (the admin section,
 * the token API, postbacks, health). Auth routes are per route and come from the table alone.
 */
function contractLevel(method: string, url: string): AccessLevel | undefined {
  if (url.startsWith('/api/admin/')) return 'admin';
  if (url === '/api/v1/events' && method === 'POST') return 'client';
  if (url.startsWith('/api/v1/')) return 'reader';
  if (url.startsWith('/postback/') || url === '/healthz' || url === '/readyz' || url === '/') return 'public';
  return undefined;
}

function levelOf(route: RouteEntry): AccessLevel {
  const level = route.access ?? contractLevel(route.method, route.url);
  if (level === undefined) throw new Error(`${route.method} ${route.url} has no access level`);
  return level;
}

async function expectAccess(method: string, url: string, level: AccessLevel, caller: CallerName) {
  const res = await call(method, url, await headersFor(caller));
  const want = expected(level, caller);
  const where = `${caller} ${method} ${url} (${level}) → ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (want === 'public') {
    const reference = await call(method, url, {});
    expect(res.statusCode, where).toBe(reference.statusCode);
    expect(res.statusCode, where).toBeLessThan(500);
    return res;
  }
  if (want === 'allowed') {
    expect([401, 403], where).not.toContain(res.statusCode);
    expect(['unauthorized', 'forbidden'], where).not.toContain(errorCode(res));
    expect(res.statusCode, where).toBeLessThan(500);
  } else {
    expect(res.statusCode, where).toBe(want);
    expect(errorCode(res), where).toBe(want === 401 ? 'unauthorized' : 'forbidden');
  }
  return res;
}

describe('the route table', () => {
  it('lists the routes of every group (health, postback, token API, auth, admin)', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.url}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /healthz',
        'GET /postback/:source',
        'POST /api/v1/events',
        'GET /api/auth/me',
        'POST /api/auth/telegram',
        'GET /api/admin/users',
        'GET /api/admin/audit',
      ]),
    );
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.url}`, r] as const))(
    'lists %s with an access level (the one the product contract gives its URL, where it does)',
    (_name, route) => {
      expect(ACCESS_LEVELS).toContain(route.access);
      const contract = contractLevel(route.method, route.url);
      if (contract !== undefined) expect(route.access).toBe(contract);
    },
  );

  it('gives the auth routes their levels: login endpoints public, me and logout need a session', () => {
    const level = (method: string, url: string) =>
      ROUTES.find((r) => r.method === method && r.url === url)?.access;
    expect(level('GET', '/api/auth/config')).toBe('public');
    expect(level('GET', '/auth/telegram/callback')).toBe('public');
    expect(level('POST', '/api/auth/telegram')).toBe('public');
    expect(level('GET', '/auth/link/:token')).toBe('public');
    expect(level('GET', '/api/auth/me')).toBe('session');
    expect(level('POST', '/api/auth/logout')).toBe('session');
  });
});

describe.each(ROUTES.map((r) => [`${r.method} ${r.url}`, r] as const))('%s', (_name, route) => {
  it.each(CALLERS)('is refused or allowed for %s exactly as its access level says', async (caller) => {
    await expectAccess(route.method, route.url, levelOf(route), caller);
  });
});

describe('bad credentials', () => {
  it('every non-public route answers a wrong, malformed, revoked or missing token with one identical 401 body', async () => {
    const inactive = await createApiClient(t.ctx.db, { name: 'matrix-inactive' }, null);
    await t.ctx.db.kysely
      .updateTable('api_clients')
      .set({ is_active: 0 })
      .where('id', '=', inactive.client.id)
      .execute();
    const deleted = await createApiClient(t.ctx.db, { name: 'matrix-deleted' }, null);
    await t.ctx.db.kysely.deleteFrom('api_clients').where('id', '=', deleted.client.id).execute();
    const credentials: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${WRONG_TOKEN}` },
      { authorization: `Bearer ${inactive.token}` },
      { authorization: `Bearer ${deleted.token}` },
      { authorization: 'Bearer' },
      { authorization: '' },
      { authorization: 'Bearer not-a-token' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      { authorization: `Bearer ${clientToken} extra` },
      { authorization: `Bearer afp_${'x'.repeat(200)}` },
      { authorization: `Bearer ${clientToken.toUpperCase()}` },
    ];
    const bodies = new Set<string>();
    const nonPublic = ROUTES.filter((r) => levelOf(r) !== 'public');
    expect(nonPublic.length).toBeGreaterThan(0);
    for (const route of nonPublic) {
      for (const headers of credentials) {
        const res = await call(route.method, route.url, headers);
        expect(res.statusCode, `${route.method} ${route.url} ${JSON.stringify(headers)}`).toBe(401);
        bodies.add(res.body);
      }
    }
    expect([...bodies]).toHaveLength(1);
  });

  it('HEAD twins of guarded GET routes are guarded like the GET', async () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET' && levelOf(r) !== 'public')) {
      const res = await t.app.inject({ method: 'HEAD', url: fillParams(route.url) });
      expect(res.statusCode, `HEAD ${route.url}`).toBe(401);
    }
  });
});

describe('probe routes of every level', () => {
  for (const level of ACCESS_LEVELS) {
    t.app.get(`/__probe/${level}`, { config: { access: level } }, async () => ({ ok: true }));
    t.app.post(`/__probe/${level}`, { config: { access: level } }, async () => ({ ok: true }));
  }
  t.app.get('/__probe/unguarded', async () => ({ ok: true }));

  describe.each(ACCESS_LEVELS.flatMap((level) => ['GET', 'POST'].map((method) => [level, method] as const)))(
    '%s level, %s',
    (level, method) => {
      it.each(CALLERS)('answers %s as the level says (allowed means 200)', async (caller) => {
        const res = await expectAccess(method, `/__probe/${level}`, level, caller);
        const want = expected(level, caller);
        if (want === 'allowed' || want === 'public') expect(res.statusCode).toBe(200);
      });
    },
  );

  it('refuses a route that declares no access level, to every caller', async () => {
    for (const caller of CALLERS) {
      const res = await call('GET', '/__probe/unguarded', await headersFor(caller));
      expect(res.statusCode, caller).toBe(403);
    }
  });

  it('refuses an unsafe method with a session but without the CSRF header, even for an admin', async () => {
    const headers = await headersFor('admin');
    const { 'x-csrf-token': _csrf, ...withoutCsrf } = headers;
    const res = await call('POST', '/__probe/admin', withoutCsrf);
    expect(res.statusCode).toBe(403);
    expect(errorCode(res)).toBe('forbidden');
  });

  it('needs no CSRF header from an API client (a bearer token is not ambient)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/__probe/reader',
      headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(200);
  });
});
