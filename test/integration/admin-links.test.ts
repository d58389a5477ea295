/**
 * The Link Generator API: the sources and brands to choose from (never a key), the postback URLs
 * per platform (with the key, admins only, never cached) that the real endpoint accepts once a
 * network fills the placeholders, validation naming the field, and the test postback — sent through
 * the real `/postback/<slug>` route, stored as a test event, answered with its verdict and audited
 * without the key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, keyOf, type LoggedIn, type TestApp } from '../helpers/test-app.js';

const BASE = 'https://panel.example';

let t: TestApp;
let admin: LoggedIn;
let viewer: LoggedIn;

beforeAll(async () => {
  t = await createTestApp('admin-links', { PUBLIC_BASE_URL: BASE });
  admin = await t.loginAs({ role: 'admin' });
  viewer = await t.loginAs({ role: 'viewer' });
});

afterAll(async () => {
  await t?.close();
});

interface LinkOut {
  id: string;
  types: string[];
  shared: boolean;
  url: string;
  params: { name: string; value: string; kind: string; field: string }[];
  warnings: string[];
}
interface LinksOut {
  baseUrl: string;
  types: string[];
  warnings: string[];
  brand: { slug: string; known: boolean; blocked: boolean };
  source: { slug: string; template: string; postbackTypes: string[] };
  links: LinkOut[];
}
interface TestOut {
  verdict: {
    status: string;
    httpStatus: number;
    eventId: number | null;
    code: string | null;
    field: string | null;
  };
  transactionId: string | null;
  playerId: string | null;
  sent: Record<string, string>;
  url: string;
}

const get = (url: string, who: LoggedIn | null = admin) =>
  t.app.inject({ method: 'GET', url, headers: who?.headers ?? {} });
const fire = (payload: Record<string, unknown>, headers: Record<string, string> = admin.headers) =>
  t.app.inject({ method: 'POST', url: '/api/admin/links/test', headers, payload });

async function links(query: string): Promise<LinksOut> {
  const res = await get(`/api/admin/links?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function storedEvent(id: number) {
  return t.ctx.db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function auditCount(): Promise<number> {
  const rows = await t.ctx.db.kysely
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'link.test_postback')
    .execute();
  return rows.length;
}

/** What a network does with a URL: replace each placeholder with its (URL-encoded) value. */
function fillPlaceholders(url: string, params: LinkOut['params'], values: Record<string, string>): string {
  let out = url;
  for (const p of params.filter((q) => q.kind === 'macro')) {
    out = out.replace(`=${p.value}`, `=${encodeURIComponent(values[p.field] ?? '')}`);
  }
  return out;
}

describe('GET /api/admin/links/options', () => {
  it('lists every source with its template and postback types, and never a key', async () => {
    const res = await get('/api/admin/links/options');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.baseUrl).toBe(BASE);
    expect(body.sources.map((s: { slug: string }) => s.slug)).toEqual([
      'affise',
      'cellxpert',
      'cparound',
      'referon',
    ]);
    expect(body.sources.find((s: { slug: string }) => s.slug === 'cellxpert')).toMatchObject({
      templateName: 'CELLXPERT',
      active: true,
      authMode: 'key',
      urlPerEvent: true,
      postbackTypes: ['REG', 'FTD', 'CPA'],
    });
    for (const slug of t.sources.keys()) expect(res.body).not.toContain(keyOf(t, slug));
  });
});

describe('GET /api/admin/links', () => {
  it('writes one URL per event type in the platform’s syntax, with the key, never cached', async () => {
    const res = await get('/api/admin/links?source=cellxpert&brand=BritSino&types=ftd,REG');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body: LinksOut = res.json();
    const key = keyOf(t, 'cellxpert');
    expect(body.types).toEqual(['REG', 'FTD']);
    expect(body.links.map((l) => l.url)).toEqual([
      `${BASE}/postback/cellxpert?key=${key}&event=reg&brand=britsino&affiliateid=[affiliateid]&afp=[afp]` +
        '&trackingcode=[trackingcode]&userid=[userid]&isocountry=[isocountry]',
      `${BASE}/postback/cellxpert?key=${key}&event=ftd&brand=britsino&affiliateid=[affiliateid]&afp=[afp]` +
        '&trackingcode=[trackingcode]&userid=[userid]&depositid=[depositid]&amount=[transaction_sum]' +
        '&currency=[currency]&isocountry=[isocountry]',
    ]);
    expect(body.brand).toEqual({ slug: 'britsino', known: false, blocked: false });
    expect(body.warnings.join(' ')).toContain('has no events yet');
  });

  it('defaults to the platform’s own postback types', async () => {
    const body = await links('source=referon&brand=britsino');
    expect(body.types).toEqual(['REG', 'FTD', 'CPA']);
    expect(body.links.map((l) => l.id)).toEqual(['REG', 'FTD', 'CPA']);
    expect(body.links[0]?.url).toContain('clickid={clickid}&mid={mid}&customer_id={customer_id}');
  });

  it('gives Affise one URL for every goal, the event in {goal}', async () => {
    const body = await links('source=affise&brand=britsino&types=REG,FTD');
    expect(body.links).toHaveLength(1);
    expect(body.links[0]).toMatchObject({ id: 'all', shared: true, types: ['REG', 'FTD'] });
    expect(body.links[0]?.url).toBe(
      `${BASE}/postback/affise?key=${keyOf(t, 'affise')}&brand=britsino&goal={goal}&status={status}&pid={pid}` +
        '&sub1={sub1}&sub2={sub2}&user_id={user_id}&transactionid={transactionid}&sum={sum}' +
        '&currency={currency}&geo={geo}&timestamp={timestamp}',
    );
  });

  it('writes URLs the real endpoint accepts once the network fills the placeholders', async () => {
    const body = await links('source=cparound&brand=linkfill&types=FTD');
    const link = body.links[0];
    if (!link) throw new Error('no link');
    const values = { affiliate_id: 'a1', sub_id: 'c 1', transaction_id: 'tx-fill-1', amount: '12.5' };
    const filled = fillPlaceholders(link.url, link.params, { ...values, currency: 'USD', country: 'GB' });
    const res = await t.app.inject({ method: 'GET', url: filled.slice(BASE.length) });
    expect(res.statusCode, res.body).toBe(200);
    const row = await storedEvent(res.json().event_id);
    expect(row).toMatchObject({
      type: 'FTD',
      sub_id: 'c 1',
      transaction_id: 'tx-fill-1',
      currency: 'USD',
      country: 'GB',
      amount_micros: 12_500_000,
    });
  });

  it('uses the source’s own parameter names and warns when it cannot take postbacks', async () => {
    await t.addSource({
      slug: 'custom-net',
      template: 'generic',
      authMode: 'hmac',
      paramMap: { sub_id: ['s1'] },
    });
    const body = await links('source=custom-net&brand=britsino&types=REG');
    expect(body.links[0]?.url).toMatch(
      /^https:\/\/panel\.example\/postback\/custom-net\?event=reg&brand=britsino&/,
    );
    expect(body.links[0]?.url).toContain('&s1={sub_id}&');
    expect(body.warnings.join(' ')).toContain('authenticates by signature');
  });

  it.each([
    ['', 'source'],
    ['source=cellxpert', 'brand'],
    ['source=cellxpert&brand=bad%20brand', 'brand'],
    ['source=cellxpert&brand=britsino&types=REG,SIGNUP', 'types'],
  ])('refuses ?%s, naming the field %s', async (query, field) => {
    const res = await get(`/api/admin/links?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('answers 404 naming the source for one that does not exist', async () => {
    const res = await get('/api/admin/links?source=nope&brand=britsino');
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found', field: 'source' });
  });

  it('is for admins only', async () => {
    expect((await get('/api/admin/links?source=referon&brand=britsino', viewer)).statusCode).toBe(403);
    expect((await get('/api/admin/links?source=referon&brand=britsino', null)).statusCode).toBe(401);
    expect((await get('/api/admin/links/options', viewer)).statusCode).toBe(403);
  });
});

describe('POST /api/admin/links/test', () => {
  it.each([
    ['referon', 'FTD'],
    ['cellxpert', 'CPA'],
    ['affise', 'REG'],
    ['cparound', 'DEP'],
  ])('%s %s: lands as a test event through the real endpoint', async (source, type) => {
    const before = await auditCount();
    const res = await fire({ source, brand: 'linktest', type });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body: TestOut = res.json();
    expect(body.verdict).toMatchObject({ status: 'accepted', httpStatus: 200, code: null });
    const id = body.verdict.eventId;
    if (id === null) throw new Error('no event id');
    const row = await storedEvent(id);
    expect(row).toMatchObject({
      type,
      is_test: 1,
      transaction_id: body.transactionId,
      external_uid: body.playerId,
      sub_id: body.sent.sub_id ?? null,
    });
    expect(body.transactionId ?? body.playerId).toMatch(/^linkgen-/);
    expect(body.url).toContain(`${BASE}/postback/${source}?key=`);
    // The event API shows it as it landed.
    const shown = await get(`/api/v1/events/${id}`);
    expect(shown.json()).toMatchObject({ id, type, brand: 'linktest', is_test: true, source });
    // Audited, without the key.
    expect(await auditCount()).toBe(before + 1);
    const entry = await t.ctx.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'link.test_postback')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry.actor_user_id).toBe(admin.userId);
    expect(JSON.parse(entry.after ?? '{}')).toMatchObject({ source, brand: 'linktest', type });
    expect(entry.after).not.toContain(keyOf(t, source));
  });

  it('lands for a source with an IP allow-list, sent as from an address on the list', async () => {
    await t.addSource({
      slug: 'walled-net',
      template: 'generic',
      ipAllowlist: ['203.0.113.0/24', '10.9.0.0/16'],
    });
    const res = await fire({ source: 'walled-net', brand: 'linktest', type: 'REG' });
    const body: TestOut & { senderIp: string | null } = res.json();
    expect(body.verdict, res.body).toMatchObject({ status: 'accepted', httpStatus: 200 });
    expect(body.senderIp).toBe('203.0.113.0');
    // A source without a list: sent as itself, nothing to say.
    const open: { senderIp: string | null } = (
      await fire({ source: 'referon', brand: 'linktest', type: 'REG' })
    ).json();
    expect(open.senderIp).toBeNull();
  });

  it('fires twice as two events, never a duplicate', async () => {
    const a: TestOut = (await fire({ source: 'referon', brand: 'linktest', type: 'REG' })).json();
    const b: TestOut = (await fire({ source: 'referon', brand: 'linktest', type: 'REG' })).json();
    expect([a.verdict.status, b.verdict.status]).toEqual(['accepted', 'accepted']);
    expect(a.verdict.eventId).not.toBe(b.verdict.eventId);
  });

  it('signs the test postback for a signing (HMAC) source', async () => {
    const res = await fire({ source: 'custom-net', brand: 'linktest', type: 'REG' });
    const body: TestOut = res.json();
    expect(body.verdict.status, res.body).toBe('accepted');
    expect(body.url).not.toContain('key=');
    expect((await storedEvent(body.verdict.eventId ?? 0)).sub_id).toBe(body.sent.sub_id);
  });

  it('shows the real rejection for a blocked brand, and audits it', async () => {
    await t.ctx.db.kysely
      .insertInto('brands')
      .values({
        slug: 'linkblocked',
        name: 'linkblocked',
        is_blocked: 1,
        alias_of: null,
        created_at: Date.now(),
      })
      .execute();
    await t.ctx.brands.refresh();
    const before = await auditCount();
    const res = await fire({ source: 'cellxpert', brand: 'linkblocked', type: 'REG' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().verdict).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
      eventId: null,
      code: 'brand_blocked',
      field: 'brand',
    });
    expect(await auditCount()).toBe(before + 1);
    const body = await links('source=cellxpert&brand=linkblocked&types=REG');
    expect(body.brand.blocked).toBe(true);
    expect(body.warnings.join(' ')).toContain('is blocked');
  });

  it.each([
    [{ brand: 'linktest', type: 'REG' }, 'source'],
    [{ source: 'referon', type: 'REG' }, 'brand'],
    [{ source: 'referon', brand: 'Bad Brand!', type: 'REG' }, 'brand'],
    [{ source: 'referon', brand: 'linktest' }, 'type'],
    [{ source: 'referon', brand: 'linktest', type: 'SIGNUP' }, 'type'],
  ])('refuses %j, naming the field %s, storing nothing', async (payload, field) => {
    const [audits, events] = [
      await auditCount(),
      (await t.ctx.db.kysely.selectFrom('events').select('id').execute()).length,
    ];
    const res = await fire(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe(field);
    expect(await auditCount()).toBe(audits);
    expect((await t.ctx.db.kysely.selectFrom('events').select('id').execute()).length).toBe(events);
  });

  it('needs the CSRF token and an admin', async () => {
    const payload = { source: 'referon', brand: 'linktest', type: 'REG' };
    expect((await fire(payload, { cookie: admin.cookie })).statusCode).toBe(403);
    expect((await fire(payload, viewer.headers)).statusCode).toBe(403);
  });
});
