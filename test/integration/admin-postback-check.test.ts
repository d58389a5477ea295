/**
 * The postback tester `POST /api/admin/postback-check`: a good URL is "accepted" as the event it
 * would become, each rejection names its reason and the step that refused it, unsubstituted
 * macros are flagged, a duplicate is recognised, bad input names its field, only admins may use
 * it, and — after every single call — no event, rejection, brand, queue row or audit entry was
 * written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingPayload, signPayload } from '../../src/ingest/authenticate-source.js';
import {
  type CheckStepName,
  MAX_CHECK_URL,
  type PostbackCheckRequest,
  type PostbackCheckResult,
} from '../../src/routes/admin/postback-check.js';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

const URL_PATH = '/api/admin/postback-check';
let t: TestApp;
let admin: LoggedIn;

beforeAll(async () => {
  t = await createTestApp('admin-postback-check');
  await t.addSource({ slug: 'check-generic', template: 'generic' });
  await t.addSource({ slug: 'check-allow', template: 'generic', ipAllowlist: ['203.0.113.0/24'] });
  await t.addSource({ slug: 'check-hmac', template: 'generic', authMode: 'hmac' });
  admin = await t.loginAs({ role: 'admin' });
});

afterAll(async () => {
  await t?.close();
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/**
 * Row counts of every table a postback (or an audited action) adds rows to. (The rollup queue is
 * left out: the background folder empties it at any time.)
 */
async function counts(): Promise<Record<string, number>> {
  const db = t.ctx.db.kysely;
  const count = async (table: 'events' | 'rejections' | 'brands' | 'audit_log') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    events: await count('events'),
    rejections: await count('rejections'),
    brands: await count('brands'),
    audit_log: await count('audit_log'),
  };
}

/** Calls the tester as the admin and proves that the call stored nothing. */
async function check(payload: PostbackCheckRequest | Record<string, unknown>, headers = admin.headers) {
  const before = await counts();
  const res = await t.app.inject({ method: 'POST', url: URL_PATH, headers, payload });
  expect(await counts(), 'the check stored something').toEqual(before);
  return res;
}

async function checked(payload: PostbackCheckRequest): Promise<PostbackCheckResult> {
  const res = await check(payload);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PostbackCheckResult>();
}

const postbackUrl = (slug: string, params: Record<string, string | number>, key = keyOf(t, slug)) =>
  `https://tracker.example.com/postback/${slug}?${query({ key, ...params })}`;

function statuses(result: PostbackCheckResult): Record<CheckStepName, string> {
  return Object.fromEntries(result.steps.map((s) => [s.name, s.status])) as Record<CheckStepName, string>;
}

describe('an acceptable postback', () => {
  it('is accepted as the event it would become, step by step, with the key redacted', async () => {
    const txid = unique('tx');
    const key = keyOf(t, 'check-generic');
    const r = await checked({
      url: postbackUrl('check-generic', {
        event: 'reg',
        brand: 'CheckBrand',
        aff_id: '42',
        clickid: 'c-1',
        player_id: 'p-1',
        txid,
        amount: '12.50',
        currency: 'eur',
        geo: 'de',
        tag: 'WA_FR_1',
      }),
    });
    expect(r.verdict).toBe('accepted');
    expect(r.httpStatus).toBe(200);
    expect(r.rejection).toBeNull();
    expect(r.duplicateOf).toBeNull();
    expect(r.event).toMatchObject({
      type: 'REG',
      rawEvent: 'reg',
      brand: 'checkbrand',
      source: 'check-generic',
      sourceName: 'CHECK-GENERIC',
      affiliateId: '42',
      subId: 'c-1',
      externalUid: 'p-1',
      transactionId: txid,
      trackingTag: 'WA_FR_1',
      country: 'DE',
      amount: '12.5',
      currency: 'EUR',
      isTest: false,
      brokenFields: [],
      brokenMacro: null,
      dedupKey: `REG|t|${txid}`,
    });
    expect(statuses(r)).toEqual({
      parse: 'passed',
      authenticate: 'passed',
      map: 'passed',
      validate: 'passed',
      macros: 'passed',
      dedup: 'passed',
    });
    expect(r.mapped).toMatchObject({ event: 'reg', brand: 'CheckBrand', amount: '12.50', country: 'de' });
    expect(r.params).toContainEqual({ name: 'key', values: ['***'] });
    expect(r.request).toMatchObject({ method: 'GET', source: 'check-generic', body: null, notes: [] });
    expect(r.request.query).toContain('key=***');
    expect(JSON.stringify(r)).not.toContain(key);
  });

  it('takes a path with its query instead of a full URL', async () => {
    const r = await checked({
      url: `/postback/check-generic?${query({ key: keyOf(t, 'check-generic'), type: 'ftd', brand: 'b2' })}`,
    });
    expect(r.verdict).toBe('accepted');
    expect(r.event).toMatchObject({ type: 'FTD', brand: 'b2' });
  });

  it('takes a POST with a form body and with a JSON body', async () => {
    const url = `/postback/check-generic?${query({ key: keyOf(t, 'check-generic') })}`;
    const form = await checked({
      url,
      body: query({ event: 'cpa', brand: 'formbrand', payout: '30', currency: 'USD' }),
    });
    expect(form.request).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded' });
    expect(form.event).toMatchObject({ type: 'CPA', brand: 'formbrand', amount: '30', currency: 'USD' });
    const json = await checked({
      url,
      method: 'POST',
      body: JSON.stringify({ event: 'dep', brand: 'jsonbrand', amount: 5.25, currency: 'GBP' }),
    });
    expect(json.request.contentType).toBe('application/json');
    expect(json.event).toMatchObject({ type: 'DEP', brand: 'jsonbrand', amount: '5.25', currency: 'GBP' });
  });

  it('recognises a duplicate of a stored event: 200, stored once', async () => {
    const txid = unique('dup');
    const params = { event: 'ftd', brand: 'dupbrand', txid };
    const stored = await t.app.inject({
      method: 'GET',
      url: `/postback/check-generic?${query({ key: keyOf(t, 'check-generic'), ...params })}`,
    });
    expect(stored.statusCode, stored.body).toBe(200);
    const eventId = stored.json<{ event_id: number }>().event_id;
    const r = await checked({ url: postbackUrl('check-generic', params) });
    expect(r.verdict).toBe('duplicate');
    expect(r.httpStatus).toBe(200);
    expect(r.duplicateOf).toBe(eventId);
    expect(r.steps.find((s) => s.name === 'dedup')).toMatchObject({ status: 'warning' });
    expect(r.steps.find((s) => s.name === 'dedup')?.detail).toContain(`#${eventId}`);
  });

  it('checks a signed (HMAC) postback with the signature headers given', async () => {
    const path = `/postback/check-hmac?${query({ event: 'reg', brand: 'signed' })}`;
    const unsigned = await checked({ url: path });
    expect(unsigned.rejection?.code).toBe('bad_signature');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signPayload(keyOf(t, 'check-hmac'), signingPayload(timestamp, 'GET', path, null));
    const signed = await checked({
      url: path,
      headers: { 'x-affpanel-timestamp': timestamp, 'x-affpanel-signature': signature },
    });
    expect(signed.verdict).toBe('accepted');
  });

  it('tests an IP allow-list with the address given, and says so when none is', async () => {
    const url = postbackUrl('check-allow', { event: 'reg', brand: 'allowed' });
    const without = await checked({ url });
    expect(without.rejection?.code).toBe('ip_not_allowed');
    expect(without.request.notes.join(' ')).toContain('listed addresses only');
    const outside = await checked({ url, ip: '198.51.100.7' });
    expect(outside.rejection?.code).toBe('ip_not_allowed');
    const inside = await checked({ url, ip: '203.0.113.9' });
    expect(inside.verdict).toBe('accepted');
  });
});

describe('unsubstituted macros', () => {
  it('accepts the postback but flags the macro and the fields holding it', async () => {
    const r = await checked({
      url: `/postback/check-generic?key=${encodeURIComponent(keyOf(t, 'check-generic'))}&event=reg&brand=macrobrand&tag={clickid}&subid=%257Bsub1%257D&txid={transaction_id}`,
    });
    expect(r.verdict).toBe('accepted');
    // The first macro in field order (sub_id before tracking_tag), as written in the decoded value.
    expect(r.event?.brokenMacro).toBe('%7Bsub1%7D');
    expect(r.event?.brokenFields).toEqual(
      expect.arrayContaining(['tracking_tag', 'sub_id', 'transaction_id']),
    );
    // A macro-holding transaction id is kept out of duplicate detection.
    expect(r.event?.dedupKey).toBeNull();
    const macros = r.steps.find((s) => s.name === 'macros');
    expect(macros).toMatchObject({ status: 'warning' });
    expect(macros?.detail).toContain('%7Bsub1%7D');
  });

  it('rejects a brand that is still a macro', async () => {
    const r = await checked({ url: postbackUrl('check-generic', { event: 'reg', brand: '{brand}' }) });
    expect(r.rejection).toMatchObject({ code: 'missing_brand', field: 'brand' });
    expect(r.rejection?.reason).toContain('{brand}');
  });

  it('drops a fragment as an HTTP client would, and says so', async () => {
    const r = await checked({
      url: `/postback/check-generic?key=${encodeURIComponent(keyOf(t, 'check-generic'))}&event=reg&brand=frag&tag=#s2#`,
    });
    expect(r.verdict).toBe('accepted');
    expect(r.event?.trackingTag).toBeNull();
    expect(r.request.notes[0]).toContain('#s2#');
  });
});

describe('rejections: the reason, the status the network would get, the step that refused', () => {
  const key = () => keyOf(t, 'check-generic');
  const cases: [string, () => string, string, number, CheckStepName, string | undefined][] = [
    [
      'unknown source',
      () => `/postback/no-such-net?${query({ key: 'x', event: 'reg', brand: 'b' })}`,
      'unknown_source',
      404,
      'authenticate',
      undefined,
    ],
    [
      'missing key',
      () => `/postback/check-generic?${query({ event: 'reg', brand: 'b' })}`,
      'bad_key',
      401,
      'authenticate',
      'key',
    ],
    [
      'wrong key',
      () => postbackUrl('check-generic', { event: 'reg', brand: 'b' }, 'wrong-key'),
      'bad_key',
      401,
      'authenticate',
      'key',
    ],
    [
      'bad percent-encoding',
      () => `/postback/check-generic?key=${key()}&event=reg&brand=%E0%A4%A`,
      'invalid_encoding',
      400,
      'parse',
      'brand',
    ],
    [
      'one parameter, two values',
      () => `/postback/check-generic?key=${key()}&event=reg&event=ftd&brand=b`,
      'repeated_parameter',
      400,
      'map',
      'event',
    ],
    [
      'missing event',
      () => postbackUrl('check-generic', { brand: 'b' }),
      'missing_event',
      400,
      'validate',
      'event',
    ],
    [
      'unknown event',
      () => postbackUrl('check-generic', { event: 'conversion', brand: 'b' }),
      'unknown_event',
      400,
      'validate',
      'event',
    ],
    [
      'missing brand',
      () => postbackUrl('check-generic', { event: 'reg' }),
      'missing_brand',
      400,
      'validate',
      'brand',
    ],
    [
      'malformed amount',
      () => postbackUrl('check-generic', { event: 'cpa', brand: 'b', amount: '12,3,4', currency: 'EUR' }),
      'invalid_amount',
      400,
      'validate',
      'amount',
    ],
    [
      'amount without currency',
      () => postbackUrl('check-generic', { event: 'cpa', brand: 'b', amount: '10' }),
      'missing_currency',
      400,
      'validate',
      'currency',
    ],
    [
      'bad currency',
      () => postbackUrl('check-generic', { event: 'cpa', brand: 'b', amount: '10', currency: 'EURO' }),
      'invalid_currency',
      400,
      'validate',
      'currency',
    ],
    [
      'bad country',
      () => postbackUrl('check-generic', { event: 'reg', brand: 'b', geo: 'XX' }),
      'invalid_country',
      400,
      'validate',
      'country',
    ],
    [
      'bad test flag',
      () => postbackUrl('check-generic', { event: 'reg', brand: 'b', test: 'maybe' }),
      'invalid_test_flag',
      400,
      'validate',
      'is_test',
    ],
    [
      'time far ahead',
      () => postbackUrl('check-generic', { event: 'reg', brand: 'b', timestamp: '2099-01-01T00:00:00Z' }),
      'future_timestamp',
      400,
      'validate',
      'occurred_at',
    ],
  ];

  it.each(cases)('%s', async (_name, url, code, httpStatus, step, field) => {
    const r = await checked({ url: url() });
    expect(r.verdict).toBe('rejected');
    expect(r.httpStatus).toBe(httpStatus);
    expect(r.event).toBeNull();
    expect(r.rejection?.code).toBe(code);
    expect(r.rejection?.field).toBe(field);
    expect(r.rejection?.reason).toEqual(expect.any(String));
    const order: CheckStepName[] = ['parse', 'authenticate', 'map', 'validate', 'macros', 'dedup'];
    const at = order.indexOf(step);
    expect(r.steps.map((s) => s.status)).toEqual(
      order.map((_, i) => (i < at ? 'passed' : i === at ? 'failed' : 'skipped')),
    );
    expect(r.steps[at]?.detail).toContain(code);
  });
});

describe('bad input names its field', () => {
  const good = () => postbackUrl('check-generic', { event: 'reg', brand: 'b' });
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['no url', () => ({}), 'url'],
    ['an empty url', () => ({ url: '  ' }), 'url'],
    ['not http', () => ({ url: 'ftp://x.example/postback/a?key=1' }), 'url'],
    ['not a URL at all', () => ({ url: 'event=reg&brand=b' }), 'url'],
    ['another path', () => ({ url: 'https://x.example/api/v1/events?x=1' }), 'url'],
    ['no source in the path', () => ({ url: '/postback/' }), 'url'],
    ['a broken source slug', () => ({ url: '/postback/%E0%A4%A?key=1' }), 'url'],
    ['too long', () => ({ url: `/postback/a?x=${'y'.repeat(MAX_CHECK_URL)}` }), 'url'],
    ['a url that is not text', () => ({ url: 42 }), 'url'],
    ['an unknown method', () => ({ url: good(), method: 'PUT' }), 'method'],
    ['a GET with a body', () => ({ url: good(), method: 'GET', body: 'a=1' }), 'body'],
    ['an unknown content type', () => ({ url: good(), body: 'x', contentType: 'text/plain' }), 'contentType'],
    ['a bad IP', () => ({ url: good(), ip: 'not-an-ip' }), 'ip'],
    ['an unknown header', () => ({ url: good(), headers: { 'x-evil': '1' } }), 'headers.x-evil'],
    ['an unknown field', () => ({ url: good(), extra: 1 }), 'extra'],
  ];

  it.each(cases)('%s', async (_name, payload, field) => {
    const res = await check(payload());
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', field, message: expect.any(String) });
  });
});

describe('access', () => {
  it('refuses a viewer (403), a session write without the CSRF token (403) and no session (401)', async () => {
    const payload = { url: postbackUrl('check-generic', { event: 'reg', brand: 'b' }) };
    const viewer = await t.loginAs({ role: 'viewer' });
    expect((await check(payload, viewer.headers)).statusCode).toBe(403);
    expect((await check(payload, { cookie: admin.cookie })).statusCode).toBe(403);
    expect((await check(payload, {})).statusCode).toBe(401);
  });
});
