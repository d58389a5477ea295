/**
 * The Sources admin API (`/api/admin/sources`): list (key prefix only), templates, add (key shown
 * once), edit (mappings, allow-list, declined statuses, currency, active, auth mode), key rotation
 * with a grace period. Every change is audited without the key, refused input names its field
 * and stores nothing, viewers are refused, and every change reaches the postback path at once.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow, EventRow, SourceRow } from '../../src/db/schema.js';
import { signingPayload, signPayload } from '../../src/ingest/authenticate-source.js';
import { createTestApp, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

const GRACE_SECONDS = 3600;

let t: TestApp;
let admin: LoggedIn;
let viewer: LoggedIn;

beforeAll(async () => {
  t = await createTestApp('admin-sources', {
    KEY_ROTATION_GRACE_SECONDS: String(GRACE_SECONDS),
    PUBLIC_BASE_URL: 'https://panel.example.com',
  });
  admin = await t.loginAs({ role: 'admin' });
  viewer = await t.loginAs({ role: 'viewer' });
});

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- helpers

interface PublicSource {
  id: number;
  slug: string;
  name: string;
  template: string;
  authMode: 'key' | 'hmac';
  keyPrefix: string;
  previousKeyValidUntil: string | null;
  ipAllowlist: string[];
  paramMap: Record<string, string[]>;
  eventMap: Record<string, string>;
  declinedStatuses: string[];
  defaultCurrency: string | null;
  isActive: boolean;
  lagWarningMinutes: number;
  lagErrorMinutes: number;
  postbackBase: string;
  createdAt: string;
  updatedAt: string;
}

interface Created {
  source: PublicSource;
  key: string;
  postbackUrl: string;
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

function send(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, who: LoggedIn = admin) {
  return t.app.inject({
    method,
    url,
    headers: who.headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

async function create(body: Record<string, unknown>): Promise<Created> {
  const res = await send('POST', '/api/admin/sources', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Created>();
}

async function dbRow(slug: string): Promise<SourceRow | undefined> {
  return t.ctx.db.kysely.selectFrom('sources').selectAll().where('slug', '=', slug).executeTakeFirst();
}

async function auditFor(sourceId: number): Promise<AuditRow[]> {
  return t.ctx.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('target_type', '=', 'source')
    .where('target_id', '=', String(sourceId))
    .orderBy('id')
    .execute();
}

async function sourceCount(): Promise<number> {
  const rows = await t.ctx.db.kysely.selectFrom('sources').select('id').execute();
  return rows.length;
}

async function auditCount(): Promise<number> {
  const rows = await t.ctx.db.kysely.selectFrom('audit_log').select('id').execute();
  return rows.length;
}

function expectError(res: LightMyRequestResponse, status: number, field: string, message?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; message: string; field?: string } }>();
  expect(body.error.field).toBe(field);
  if (message) expect(body.error.message).toMatch(message);
}

function postback(
  slug: string,
  params: Record<string, string>,
  options: { remoteAddress?: string; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method: 'GET',
    url: `/postback/${slug}?${query(params)}`,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

/** A registration with its own transaction id, so each call is a new event. */
function registration(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { key, event: 'reg', brand: 'srcadminbrand', transaction_id: unique('tx'), ...extra };
}

async function eventById(id: number): Promise<EventRow> {
  return t.ctx.db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function expectAccepted(res: LightMyRequestResponse): Promise<EventRow> {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ status: string; event_id: number }>();
  expect(body.status).toBe('accepted');
  return eventById(body.event_id);
}

function expectRejected(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json<{ code: string }>().code).toBe(code);
}

// ---------------------------------------------------------------- list and templates

describe('GET /api/admin/sources', () => {
  it('lists every source with its settings and only the first 8 characters of its key', async () => {
    const res = await send('GET', '/api/admin/sources');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ sources: PublicSource[]; keyRotationGraceSeconds: number }>();
    expect(body.keyRotationGraceSeconds).toBe(GRACE_SECONDS);
    const rows = await t.ctx.db.kysely.selectFrom('sources').selectAll().orderBy('slug').execute();
    expect(body.sources.map((s) => s.slug)).toEqual(rows.map((r) => r.slug));
    const cellxpert = body.sources.find((s) => s.slug === 'cellxpert');
    const row = rows.find((r) => r.slug === 'cellxpert');
    expect(cellxpert).toEqual({
      id: Number(row?.id),
      slug: 'cellxpert',
      name: 'CELLXPERT',
      template: 'cellxpert',
      authMode: 'key',
      keyPrefix: row?.secret_key.slice(0, 8),
      previousKeyValidUntil: null,
      olderKeyValidUntil: null,
      ipAllowlist: [],
      paramMap: {},
      eventMap: {},
      declinedStatuses: [],
      defaultCurrency: null,
      isActive: true,
      lagWarningMinutes: 240,
      lagErrorMinutes: 1440,
      postbackBase: 'https://panel.example.com/postback/cellxpert',
      createdAt: new Date(Number(row?.created_at)).toISOString(),
      updatedAt: new Date(Number(row?.updated_at)).toISOString(),
    });
    for (const r of rows) expect(res.body).not.toContain(r.secret_key);
  });
});

describe('GET /api/admin/sources/templates', () => {
  it('gives the five built-in templates with their default names per field and event words per type', async () => {
    const res = await send('GET', '/api/admin/sources/templates');
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      templates: {
        id: string;
        params: Record<string, string[]>;
        events: Record<string, string[]>;
        declinedStatuses: string[];
        lag: { warningMinutes: number; errorMinutes: number };
      }[];
      fields: string[];
      eventTypes: string[];
    }>();
    expect(body.templates.map((x) => x.id)).toEqual([
      'referon',
      'cellxpert',
      'affise',
      'cparound',
      'generic',
    ]);
    const cellxpert = body.templates.find((x) => x.id === 'cellxpert');
    expect(cellxpert?.params.sub_id?.slice(0, 2)).toEqual(['sub_id', 'afp']);
    expect(cellxpert?.events.FTD).toContain('purchase');
    expect(cellxpert?.lag).toEqual({ warningMinutes: 240, errorMinutes: 1440 });
    expect(body.templates.find((x) => x.id === 'affise')?.declinedStatuses).toContain('3');
    expect(body.fields).toContain('tracking_tag');
    expect(body.eventTypes).toEqual(['CLICK', 'REG', 'FTD', 'DEP', 'REDEP', 'CPA']);
  });
});

// ---------------------------------------------------------------- create

describe('POST /api/admin/sources', () => {
  it('adds a network, answers its full key once, audits it without the key, and the key works at once', async () => {
    const slug = unique('net');
    const created = await create({
      slug: slug.toUpperCase(),
      name: 'Partner Net',
      template: 'affise',
      ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
      defaultCurrency: 'eur',
      eventMap: { Goal7: 'ftd' },
    });
    const row = await dbRow(slug);
    expect(row).toMatchObject({
      name: 'Partner Net',
      template: 'affise',
      auth_mode: 'key',
      default_currency: 'EUR',
      ip_allowlist: JSON.stringify(['10.0.0.0/8', '2001:db8::/32']),
      event_map: JSON.stringify({ goal7: 'FTD' }),
      lag_warning_minutes: 180,
      lag_error_minutes: 720,
      is_active: 1,
    });
    expect(created.key).toBe(row?.secret_key);
    expect(created.key).toHaveLength(32);
    expect(created.postbackUrl).toBe(`https://panel.example.com/postback/${slug}?key=${created.key}`);
    expect(created.source).toMatchObject({ slug, keyPrefix: created.key.slice(0, 8), isActive: true });

    const list = await send('GET', '/api/admin/sources');
    expect(list.body).toContain(`"slug":"${slug}"`);
    expect(list.body).not.toContain(created.key);

    const audit = await auditFor(created.source.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'source.create', actor_user_id: admin.userId });
    expect(JSON.parse(audit[0]?.after ?? 'null')).toMatchObject({ slug, template: 'affise', isActive: true });
    expect(JSON.stringify(audit)).not.toContain(created.key);

    const event = await expectAccepted(
      await postback(
        slug,
        { key: created.key, goal: 'Goal7', brand: 'srcadminbrand', transaction_id: unique('tx') },
        { remoteAddress: '10.9.8.7' },
      ),
    );
    expect(event).toMatchObject({ type: 'FTD', raw_event: 'Goal7' });
  });

  it('uses the template defaults and the slug as name when only slug and template are given', async () => {
    const slug = unique('plain');
    const created = await create({ slug, template: 'cellxpert' });
    expect(created.source).toMatchObject({
      name: slug.toUpperCase(),
      template: 'cellxpert',
      authMode: 'key',
      ipAllowlist: [],
      paramMap: {},
      lagWarningMinutes: 240,
    });
  });

  it('answers a signed (HMAC) source with a URL that carries no key', async () => {
    const slug = unique('signed');
    const created = await create({ slug, template: 'generic', authMode: 'hmac' });
    expect(created.postbackUrl).toBe(`https://panel.example.com/postback/${slug}`);
    expect(created.source.authMode).toBe('hmac');
  });

  it.each([
    ['a bad slug', { slug: 'Bad Slug!' }, 400, 'slug', /letters, digits/],
    ['an unknown template', { template: 'nope' }, 400, 'template', /unknown template "nope"/],
    ['a name too long', { name: 'x'.repeat(65) }, 400, 'name', /at most 64/],
    ['an empty name', { name: '  ' }, 400, 'name', /name is required/],
    ['a bad auth mode', { authMode: 'password' }, 400, 'authMode', undefined],
    ['an IPv4 shorthand in the allow-list', { ipAllowlist: ['10.1'] }, 400, 'ipAllowlist', /"10\.1"/],
    ['a prefix too long', { ipAllowlist: ['10.0.0.0/33'] }, 400, 'ipAllowlist', /10\.0\.0\.0\/33/],
    [
      'a field AFFPanel does not read',
      { paramMap: { clicks: ['c'] } },
      400,
      'paramMap.clicks',
      /not a field/,
    ],
    [
      'the key parameter as a field',
      { paramMap: { sub_id: ['key'] } },
      400,
      'paramMap.sub_id.0',
      /source key/,
    ],
    ['an empty name list', { paramMap: { sub_id: [] } }, 400, 'paramMap.sub_id', /at least one/],
    [
      'a name already read as another field',
      { template: 'affise', paramMap: { tracking_tag: ['sub1'] } },
      400,
      'paramMap.tracking_tag',
      /"sub1" is already read as sub_id/,
    ],
    ['an unknown event type', { eventMap: { goal9: 'deposit' } }, 400, 'eventMap.goal9', /not an event type/],
    ['a currency that is no ISO code', { defaultCurrency: 'EURO' }, 400, 'defaultCurrency', /3-letter/],
    ['a withdrawn currency', { defaultCurrency: 'HRK' }, 400, 'defaultCurrency', /withdrawn/],
    ['an empty declined status', { declinedStatuses: [''] }, 400, 'declinedStatuses.0', /empty/],
    ['a misspelt setting', { ipAllowList: [] }, 400, 'ipAllowList', /cannot be set/],
    ['an active flag that is no boolean', { isActive: 'yes' }, 400, 'isActive', undefined],
  ])(
    'refuses %s naming the field, storing and auditing nothing',
    async (_label, override, status, field, message) => {
      const [sources, audits] = [await sourceCount(), await auditCount()];
      const slug = unique('bad');
      const res = await send('POST', '/api/admin/sources', { slug, template: 'generic', ...override });
      expectError(res, status, field, message);
      expect(await sourceCount()).toBe(sources);
      expect(await auditCount()).toBe(audits);
    },
  );

  it('refuses a slug that exists with 409 naming the slug', async () => {
    const res = await send('POST', '/api/admin/sources', { slug: 'CellXpert', template: 'generic' });
    expectError(res, 409, 'slug', /already exists/);
  });
});

// ---------------------------------------------------------------- edit

describe('PATCH /api/admin/sources/:slug', () => {
  let created: Created;
  let slug: string;
  beforeAll(async () => {
    slug = unique('edit');
    created = await create({ slug, template: 'cellxpert', name: 'Before' });
  });

  it('changes the mappings, and the next postback is read with them', async () => {
    const res = await send('PATCH', `/api/admin/sources/${slug}`, {
      name: 'After',
      paramMap: { sub_id: ['MySub', 'mysub'] },
      eventMap: { signup_ok: 'REG' },
      declinedStatuses: ['Chargeback'],
      defaultCurrency: 'usd',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ source: PublicSource }>().source).toMatchObject({
      name: 'After',
      paramMap: { sub_id: ['mysub'] },
      eventMap: { signup_ok: 'REG' },
      declinedStatuses: ['chargeback'],
      defaultCurrency: 'USD',
    });
    const stored = await dbRow(slug);
    expect(stored?.param_map).toBe(JSON.stringify({ sub_id: ['mysub'] }));

    const event = await expectAccepted(
      await postback(slug, {
        ...registration(created.key, { event: 'signup_ok', mysub: 'click-77', afp: 'ignored' }),
        amount: '5',
      }),
    );
    expect(event).toMatchObject({ type: 'REG', sub_id: 'click-77', currency: 'USD' });
    expectRejected(
      await postback(slug, registration(created.key, { status: 'chargeback' })),
      400,
      'declined_status',
    );
  });

  it('audits the change with the record before and after, never the key', async () => {
    const audit = await auditFor(created.source.id);
    const update = audit.find((a) => a.action === 'source.update');
    expect(update).toMatchObject({ actor_user_id: admin.userId, target_type: 'source' });
    expect(JSON.parse(update?.before ?? 'null')).toMatchObject({ name: 'Before', paramMap: {} });
    expect(JSON.parse(update?.after ?? 'null')).toMatchObject({
      name: 'After',
      paramMap: { sub_id: ['mysub'] },
    });
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it('writes and audits nothing when nothing changes', async () => {
    const audits = await auditCount();
    const before = await dbRow(slug);
    const res = await send('PATCH', `/api/admin/sources/${slug}`, { name: 'After' });
    expect(res.statusCode).toBe(200);
    expect(await auditCount()).toBe(audits);
    expect((await dbRow(slug))?.updated_at).toBe(before?.updated_at);
  });

  it('blocks other addresses once an allow-list is set, and lets the listed ones in', async () => {
    const res = await send('PATCH', `/api/admin/sources/${slug}`, {
      ipAllowlist: ['10.1.0.0/16', '192.0.2.7'],
    });
    expect(res.statusCode, res.body).toBe(200);
    expectRejected(
      await postback(slug, registration(created.key), { remoteAddress: '192.0.2.1' }),
      403,
      'ip_not_allowed',
    );
    await expectAccepted(await postback(slug, registration(created.key), { remoteAddress: '10.1.2.3' }));
    await expectAccepted(await postback(slug, registration(created.key), { remoteAddress: '192.0.2.7' }));
    await send('PATCH', `/api/admin/sources/${slug}`, { ipAllowlist: [] });
    await expectAccepted(await postback(slug, registration(created.key), { remoteAddress: '192.0.2.1' }));
  });

  it('deactivates and reactivates: a deactivated source refuses postbacks', async () => {
    expect((await send('PATCH', `/api/admin/sources/${slug}`, { isActive: false })).statusCode).toBe(200);
    expect((await dbRow(slug))?.is_active).toBe(0);
    expectRejected(await postback(slug, registration(created.key)), 404, 'source_inactive');
    expect((await send('PATCH', `/api/admin/sources/${slug}`, { isActive: true })).statusCode).toBe(200);
    await expectAccepted(await postback(slug, registration(created.key)));
  });

  it('switches to HMAC: a bare key is refused, a signature made with the key is accepted', async () => {
    const hmacSlug = unique('to-hmac');
    const source = await create({ slug: hmacSlug, template: 'generic' });
    const res = await send('PATCH', `/api/admin/sources/${hmacSlug}`, { authMode: 'hmac' });
    expect(res.json<{ source: PublicSource }>().source.authMode).toBe('hmac');
    expectRejected(await postback(hmacSlug, registration(source.key)), 401, 'bad_signature');
    const { key: _key, ...params } = registration(source.key);
    const url = `/postback/${hmacSlug}?${query(params)}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signPayload(source.key, signingPayload(timestamp, 'GET', url, null));
    const signed = await t.app.inject({
      method: 'GET',
      url,
      headers: { 'x-affpanel-timestamp': timestamp, 'x-affpanel-signature': signature },
    });
    await expectAccepted(signed);
  });

  it.each([
    [
      'a bad address',
      { ipAllowlist: ['10.0.0.300'] },
      'ipAllowlist',
      /invalid address or CIDR "10\.0\.0\.300"/,
    ],
    ['the template', { template: 'generic' }, 'template', /cannot be set/],
    ['the slug', { slug: 'other' }, 'slug', /cannot be set/],
    [
      'the lag thresholds (Settings owns them)',
      { lagWarningMinutes: 5 },
      'lagWarningMinutes',
      /cannot be set/,
    ],
    ['a name conflict', { paramMap: { tracking_tag: ['afp'] } }, 'paramMap.tracking_tag', /"afp" is already/],
    ['a bad currency', { defaultCurrency: 'ZZZ' }, 'defaultCurrency', /not an ISO 4217 code/],
  ])('refuses %s naming the field and changes nothing', async (_label, body, field, message) => {
    const before = await dbRow(slug);
    const audits = await auditCount();
    expectError(
      await send('PATCH', `/api/admin/sources/${slug}`, { name: 'Changed', ...body }),
      400,
      field,
      message,
    );
    expect(await dbRow(slug)).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('answers 404 for a source that does not exist', async () => {
    const res = await send('PATCH', '/api/admin/sources/ghost-source', { name: 'x' });
    expect(res.statusCode).toBe(404);
  });
});

// ---------------------------------------------------------------- rotation

describe('POST /api/admin/sources/:slug/rotate-key', () => {
  it('shows the new key once; the old keys keep working during their grace periods', async () => {
    const slug = unique('rotate');
    const created = await create({ slug, template: 'generic' });
    const started = Date.now();
    const res = await send('POST', `/api/admin/sources/${slug}/rotate-key`);
    expect(res.statusCode, res.body).toBe(200);
    const rotated = res.json<Created & { previousKeyValidUntil: string }>();
    const row = await dbRow(slug);
    expect(rotated.key).toBe(row?.secret_key);
    expect(rotated.key).not.toBe(created.key);
    expect(row?.previous_key).toBe(created.key);
    expect(rotated.postbackUrl).toBe(`https://panel.example.com/postback/${slug}?key=${rotated.key}`);
    const until = Date.parse(rotated.previousKeyValidUntil);
    expect(until).toBeGreaterThanOrEqual(started + GRACE_SECONDS * 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + GRACE_SECONDS * 1000);
    expect(rotated.source.previousKeyValidUntil).toBe(rotated.previousKeyValidUntil);
    expect(rotated.source.keyPrefix).toBe(rotated.key.slice(0, 8));

    await expectAccepted(await postback(slug, registration(rotated.key)));
    await expectAccepted(await postback(slug, registration(created.key)));

    const list = await send('GET', '/api/admin/sources');
    expect(list.body).not.toContain(rotated.key);
    expect(list.body).not.toContain(created.key);

    // A second rotation inside the grace period (the first new key was lost, say): the key the
    // network still sends keeps its own grace, as the older key.
    const again = (await send('POST', `/api/admin/sources/${slug}/rotate-key`)).json<
      Created & { source: { olderKeyValidUntil: string | null } }
    >();
    await expectAccepted(await postback(slug, registration(created.key)));
    await expectAccepted(await postback(slug, registration(rotated.key)));
    await expectAccepted(await postback(slug, registration(again.key)));
    expect(again.source.olderKeyValidUntil).toBe(rotated.previousKeyValidUntil);

    const audit = (await auditFor(created.source.id)).filter((a) => a.action === 'source.rotate_key');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor_user_id: admin.userId });
    const afters = audit.map((a) => JSON.parse(a.after ?? 'null'));
    expect(afters).toContainEqual({ slug, previousKeyValidUntil: rotated.previousKeyValidUntil });
    expect(afters).toContainEqual(
      expect.objectContaining({ slug, olderKeyValidUntil: rotated.previousKeyValidUntil }),
    );
    for (const key of [created.key, rotated.key, again.key]) expect(JSON.stringify(audit)).not.toContain(key);

    // A third rotation: the oldest key, two rotations back, stops.
    const third = (await send('POST', `/api/admin/sources/${slug}/rotate-key`)).json<Created>();
    expectRejected(await postback(slug, registration(created.key)), 401, 'bad_key');
    await expectAccepted(await postback(slug, registration(rotated.key)));
    await expectAccepted(await postback(slug, registration(again.key)));

    // End now: only the current key works.
    const ended = await send('POST', `/api/admin/sources/${slug}/end-key-grace`);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ source: { previousKeyValidUntil: null, olderKeyValidUntil: null } });
    expectRejected(await postback(slug, registration(rotated.key)), 401, 'bad_key');
    expectRejected(await postback(slug, registration(again.key)), 401, 'bad_key');
    await expectAccepted(await postback(slug, registration(third.key)));
    const endAudit = (await auditFor(created.source.id)).filter((a) => a.action === 'source.end_key_grace');
    expect(endAudit).toHaveLength(1);
    expect(JSON.stringify(endAudit)).not.toContain(third.key);
  });

  it('answers 404 for a source that does not exist', async () => {
    const res = await send('POST', '/api/admin/sources/ghost-source/rotate-key');
    expectError(res, 404, 'slug', /no source "ghost-source"/);
  });
});

// ---------------------------------------------------------------- access and secrets

describe('access', () => {
  const routes: Array<['GET' | 'POST' | 'PATCH', string, unknown]> = [
    ['GET', '/api/admin/sources', undefined],
    ['GET', '/api/admin/sources/templates', undefined],
    ['POST', '/api/admin/sources', { slug: 'viewer-made', template: 'generic' }],
    ['PATCH', '/api/admin/sources/cellxpert', { isActive: false }],
    ['POST', '/api/admin/sources/cellxpert/rotate-key', {}],
  ];

  it.each(routes)('refuses a viewer on %s %s with 403 and changes nothing', async (method, url, body) => {
    const before = await dbRow('cellxpert');
    const res = await send(method, url, body, viewer);
    expect(res.statusCode).toBe(403);
    expect(await dbRow('cellxpert')).toEqual(before);
    expect(await dbRow('viewer-made')).toBeUndefined();
  });

  it.each(routes)('refuses an anonymous caller on %s %s with 401', async (method, url, body) => {
    const res = await t.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    expect(res.statusCode).toBe(401);
  });

  it('refuses an admin write without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/admin/sources/cellxpert/rotate-key',
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(403);
  });

  it('never writes a source key into the audit log', async () => {
    const keys = await t.ctx.db.kysely.selectFrom('sources').select(['secret_key', 'previous_key']).execute();
    const audit = JSON.stringify(await t.ctx.db.kysely.selectFrom('audit_log').selectAll().execute());
    expect(audit).toContain('source.');
    for (const k of keys) {
      expect(audit).not.toContain(k.secret_key);
      if (k.previous_key) expect(audit).not.toContain(k.previous_key);
    }
  });
});
