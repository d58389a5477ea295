/**
 * The postback endpoint against a real database: every built-in template's own parameter names,
 * every rule of acceptance, rejections stored once with their reason, broken macros, duplicates,
 * brands, rollups and the secrecy of the source key. Every test checks the HTTP status, the JSON
 * verdict and what is (or is not) in the database.
 */
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow, RejectionRow } from '../../src/db/schema.js';
import { FIELD_MAX_LENGTH } from '../../src/domain.js';
import type { VerdictBody } from '../../src/routes/postback/verdict-reply.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp('postback-rules');
  await t.addSource({ slug: 'rules-eur', template: 'generic', defaultCurrency: 'EUR' });
});

afterAll(async () => {
  await t?.close();
});

/** The brand most tests post to; the rollup and brand tests use their own. */
const BRAND = 'rulesbrand';

let counter = 0;
/** A value no other test uses: transaction ids, player ids and the `probe` marker. */
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

type Params = Record<string, string | number>;

function get(slug: string, params: Params, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url: `/postback/${slug}?${query({ key: keyOf(t, slug), ...params })}`,
    headers,
  });
}

/** A GET whose query string is written by hand (for encodings URLSearchParams would fix). */
function getRaw(slug: string, rawQuery: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url: `/postback/${slug}?key=${encodeURIComponent(keyOf(t, slug))}&${rawQuery}`,
    headers,
  });
}

function postForm(slug: string, params: Params) {
  return t.app.inject({
    method: 'POST',
    url: `/postback/${slug}`,
    payload: query({ key: keyOf(t, slug), ...params }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

function postJson(slug: string, params: Params) {
  return t.app.inject({
    method: 'POST',
    url: `/postback/${slug}`,
    payload: JSON.stringify({ key: keyOf(t, slug), ...params }),
    headers: { 'content-type': 'application/json' },
  });
}

/** A POST with the key in the query and a body written by hand. */
function postRawBody(slug: string, probe: string, body: string, contentType: string) {
  return t.app.inject({
    method: 'POST',
    url: `/postback/${slug}?${query({ key: keyOf(t, slug), probe })}`,
    payload: body,
    headers: { 'content-type': contentType },
  });
}

function verdict(res: LightMyRequestResponse): VerdictBody {
  return res.json<VerdictBody>();
}

async function eventById(id: number | undefined): Promise<EventRow> {
  if (id === undefined) throw new Error('the verdict carries no event_id');
  return t.ctx.db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Events whose raw query or body contains the marker. */
function eventsWith(marker: string): Promise<EventRow[]> {
  return t.ctx.db.kysely
    .selectFrom('events')
    .selectAll()
    .where((eb) => eb.or([eb('raw_query', 'like', `%${marker}%`), eb('raw_body', 'like', `%${marker}%`)]))
    .orderBy('id')
    .execute();
}

/** Rejections whose raw query or body contains the marker. */
function rejectionsWith(marker: string): Promise<RejectionRow[]> {
  return t.ctx.db.kysely
    .selectFrom('rejections')
    .selectAll()
    .where((eb) => eb.or([eb('raw_query', 'like', `%${marker}%`), eb('raw_body', 'like', `%${marker}%`)]))
    .execute();
}

async function expectAccepted(res: LightMyRequestResponse): Promise<EventRow> {
  expect(res.statusCode, res.body).toBe(200);
  const body = verdict(res);
  expect(body).toEqual({ status: 'accepted', event_id: expect.any(Number) });
  return eventById(body.event_id);
}

/**
 * The answer is `status` with a rejected verdict of this code and field; the rejection is stored
 * exactly once with the same code and reason; no event carries the marker.
 */
async function expectRejected(
  res: LightMyRequestResponse,
  marker: string,
  status: number,
  code: string,
  field?: string,
): Promise<RejectionRow> {
  expect(res.statusCode, res.body).toBe(status);
  const body = verdict(res);
  expect(body).toEqual({
    status: 'rejected',
    code,
    reason: expect.any(String),
    ...(field === undefined ? {} : { field }),
  });
  expect(body.reason?.length ?? 0).toBeGreaterThan(0);
  const rows = await rejectionsWith(marker);
  expect(rows).toHaveLength(1);
  const row = rows[0] as RejectionRow;
  expect(row).toMatchObject({ reason_code: code, reason: body.reason, field: field ?? null, attempts: 1 });
  expect(await eventsWith(marker)).toHaveLength(0);
  return row;
}

/** A valid cellxpert deposit postback carrying the marker; `changes` overrides (null removes). */
function deposit(marker: string, changes: Record<string, string | null> = {}): Params {
  const params: Params = {
    probe: marker,
    event: 'dep',
    brand: BRAND,
    depositid: `tx-${marker}`,
    amount: '10',
    currency: 'EUR',
  };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete params[name];
    else params[name] = value;
  }
  return params;
}

// ---------------------------------------------------------------------------------------------

interface TemplateCase {
  slug: string;
  params(n: string): Params;
  expected(n: string): Partial<EventRow>;
  /** Expected occurred_at, or null when the template sends none (then it is received_at). */
  occurredAt: number | null;
}

const TEMPLATE_CASES: TemplateCase[] = [
  {
    slug: 'referon',
    params: (n) => ({
      event_type: 'first_deposit',
      brand: BRAND,
      affiliate_id: `aff-${n}`,
      clickid: `click-${n}`,
      mid: `mid-${n}`,
      customer_id: `cust-${n}`,
      transaction_id: `tx-${n}`,
      country: 'de',
      amount: '25.50',
      currency: 'EUR',
      event_time: '2024-05-01T12:00:00Z',
    }),
    expected: (n) => ({
      type: 'FTD',
      raw_event: 'first_deposit',
      affiliate_id: `aff-${n}`,
      sub_id: `click-${n}`,
      tracking_tag: `mid-${n}`,
      external_uid: `cust-${n}`,
      transaction_id: `tx-${n}`,
      country: 'DE',
      amount_micros: 25_500_000,
      currency: 'EUR',
    }),
    occurredAt: Date.UTC(2024, 4, 1, 12, 0, 0),
  },
  {
    slug: 'cellxpert',
    params: (n) => ({
      event: 'purchase',
      brand: BRAND,
      affiliateid: `aff-${n}`,
      afp: `afp-${n}`,
      trackingcode: `tc-${n}`,
      userid: `user-${n}`,
      depositid: `dep-${n}`,
      commissionamount: '100',
      currency: 'usd',
      isocountry: 'gb',
    }),
    expected: (n) => ({
      type: 'FTD',
      raw_event: 'purchase',
      affiliate_id: `aff-${n}`,
      sub_id: `afp-${n}`,
      tracking_tag: `tc-${n}`,
      external_uid: `user-${n}`,
      transaction_id: `dep-${n}`,
      country: 'GB',
      amount_micros: 100_000_000,
      currency: 'USD',
    }),
    occurredAt: null,
  },
  {
    slug: 'affise',
    params: (n) => ({
      goal: 'reg',
      status: '1',
      brand: BRAND,
      pid: `pid-${n}`,
      sub1: `s1-${n}`,
      sub2: `s2-${n}`,
      user_id: `user-${n}`,
      transactionid: `tx-${n}`,
      sum: '12.345678',
      currency: 'EUR',
      geo: 'ES',
      timestamp: 1714564800,
    }),
    expected: (n) => ({
      type: 'REG',
      raw_event: 'reg',
      affiliate_id: `pid-${n}`,
      sub_id: `s1-${n}`,
      tracking_tag: `s2-${n}`,
      external_uid: `user-${n}`,
      transaction_id: `tx-${n}`,
      country: 'ES',
      amount_micros: 12_345_678,
      currency: 'EUR',
    }),
    occurredAt: 1714564800_000,
  },
  {
    slug: 'cparound',
    params: (n) => ({
      event: 'dep',
      brand: BRAND,
      aff_id: `aff-${n}`,
      clickid: `click-${n}`,
      tag: `tag-${n}`,
      player_id: `player-${n}`,
      tid: `tid-${n}`,
      payout: '7.5',
      currency: 'EUR',
      geo: 'fr',
      event_time: '2024-06-02 08:30:00',
    }),
    expected: (n) => ({
      type: 'DEP',
      raw_event: 'dep',
      affiliate_id: `aff-${n}`,
      sub_id: `click-${n}`,
      tracking_tag: `tag-${n}`,
      external_uid: `player-${n}`,
      transaction_id: `tid-${n}`,
      country: 'FR',
      amount_micros: 7_500_000,
      currency: 'EUR',
    }),
    occurredAt: Date.UTC(2024, 5, 2, 8, 30, 0),
  },
];

const SENDERS = {
  GET: get,
  'POST form': postForm,
  'POST JSON': postJson,
} as const;

describe('accepted postbacks, per built-in template', () => {
  for (const c of TEMPLATE_CASES) {
    for (const [how, send] of Object.entries(SENDERS)) {
      it(`accepts a ${c.slug} ${how} postback in its own parameter names and stores the canonical fields`, async () => {
        const n = unique(`${c.slug}-${how.replace(' ', '-')}`);
        const before = Date.now();
        const res = await send(c.slug, c.params(n));
        const after = Date.now();
        const row = await expectAccepted(res);
        const source = t.sources.get(c.slug);
        expect(row).toMatchObject({
          ...c.expected(n),
          source_id: source?.id,
          is_test: 0,
          broken_fields: null,
          broken_macro: null,
          traffic_source: null,
          sender: null,
        });
        expect(row.received_at).toBeGreaterThanOrEqual(before);
        expect(row.received_at).toBeLessThanOrEqual(after);
        expect(row.occurred_at).toBe(c.occurredAt ?? row.received_at);
        const brand = await t.ctx.db.kysely
          .selectFrom('brands')
          .select(['id', 'slug'])
          .where('id', '=', row.brand_id)
          .executeTakeFirstOrThrow();
        expect(brand.slug).toBe(BRAND);
        expect(await eventsWith(n)).toHaveLength(1);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------

describe('rules of acceptance', () => {
  it('rejects a postback for an unknown source with 404 and stores the rejection', async () => {
    const marker = unique('unknown-source');
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/nosuchnetwork?${query({ key: 'whatever', ...deposit(marker) })}`,
    });
    const row = await expectRejected(res, marker, 404, 'unknown_source');
    expect(row).toMatchObject({ source_slug: 'nosuchnetwork', source_id: null, method: 'GET' });
  });

  it('rejects a postback without an event type with 400 and stores the rejection', async () => {
    const marker = unique('missing-event');
    const res = await get('cellxpert', deposit(marker, { event: null }));
    const row = await expectRejected(res, marker, 400, 'missing_event', 'event');
    expect(row).toMatchObject({ source_slug: 'cellxpert', source_id: t.sources.get('cellxpert')?.id });
    expect(row.brand_slug).toBe(BRAND);
  });

  it('rejects an unknown event word with 400 and stores the rejection', async () => {
    const marker = unique('unknown-event');
    const res = await get('cellxpert', deposit(marker, { event: 'bogus_thing' }));
    await expectRejected(res, marker, 400, 'unknown_event', 'event');
  });

  it('rejects an Affise conversion with status=3 (declined) with 400 and stores the rejection', async () => {
    const marker = unique('affise-declined');
    const res = await get('affise', {
      probe: marker,
      goal: 'ftd',
      status: '3',
      brand: BRAND,
      transactionid: `tx-${marker}`,
    });
    await expectRejected(res, marker, 400, 'declined_status', 'status');
  });

  it('accepts an Affise conversion with status=1 (approved)', async () => {
    const marker = unique('affise-approved');
    const row = await expectAccepted(
      await get('affise', {
        probe: marker,
        goal: 'ftd',
        status: '1',
        brand: BRAND,
        transactionid: `tx-${marker}`,
      }),
    );
    expect(row).toMatchObject({ type: 'FTD', transaction_id: `tx-${marker}` });
    expect(await rejectionsWith(marker)).toHaveLength(0);
  });

  it('rejects a postback without a brand with 400 and stores the rejection', async () => {
    const marker = unique('missing-brand');
    const row = await expectRejected(
      await get('cellxpert', deposit(marker, { brand: null })),
      marker,
      400,
      'missing_brand',
      'brand',
    );
    expect(row.brand_slug).toBeNull();
  });

  it('rejects a brand still holding a macro with 400 and stores the rejection', async () => {
    const marker = unique('brand-macro');
    await expectRejected(
      await get('cellxpert', deposit(marker, { brand: '{brand}' })),
      marker,
      400,
      'missing_brand',
      'brand',
    );
  });

  const MALFORMED_AMOUNTS: Array<[string, string]> = [
    ['in hexadecimal', '0x10'],
    ['in exponent form', '1e309'],
    ['in short exponent form', '1e3'],
    ['followed by letters', '12abc'],
    ['negative', '-5'],
    ['with a decimal comma', '12,50'],
    ['with more than 6 decimals', '1.1234567'],
    ['above 1,000,000,000', '1000000000.000001'],
    ['with 12 digits, above the cap', '999999999999'],
  ];
  for (const [what, amount] of MALFORMED_AMOUNTS) {
    it(`rejects an amount ${what} (${amount}) with 400 and stores the rejection`, async () => {
      const marker = unique('amount');
      await expectRejected(
        await get('cellxpert', deposit(marker, { amount })),
        marker,
        400,
        'invalid_amount',
        'amount',
      );
    });
  }

  it('treats an empty amount as absent, not malformed', async () => {
    const marker = unique('amount-empty');
    const row = await expectAccepted(await get('cellxpert', deposit(marker, { amount: '' })));
    expect(row).toMatchObject({ amount_micros: null, currency: 'EUR' });
  });

  it('accepts an amount of exactly 1,000,000,000 with 6 decimals of precision kept', async () => {
    const marker = unique('amount-max');
    const row = await expectAccepted(
      await get('cellxpert', deposit(marker, { amount: '1000000000.000000' })),
    );
    expect(row.amount_micros).toBe(1_000_000_000_000_000);
    const small = await expectAccepted(
      await get('cellxpert', deposit(unique('amount-min'), { amount: '0.000001' })),
    );
    expect(small.amount_micros).toBe(1);
  });

  it('rejects an amount without a currency with 400 and stores the rejection', async () => {
    const marker = unique('no-currency');
    await expectRejected(
      await get('cellxpert', deposit(marker, { currency: null })),
      marker,
      400,
      'missing_currency',
      'currency',
    );
  });

  it('accepts an amount without a currency on a source with a default currency, stored in that currency', async () => {
    const marker = unique('default-currency');
    const row = await expectAccepted(
      await get('rules-eur', {
        probe: marker,
        event: 'ftd',
        brand: BRAND,
        amount: '9.99',
        transaction_id: marker,
      }),
    );
    expect(row).toMatchObject({
      amount_micros: 9_990_000,
      currency: 'EUR',
      source_id: t.sources.get('rules-eur')?.id,
    });
  });

  for (const currency of ['EURO', 'XYZ', '€', 'US']) {
    it(`rejects currency ${currency} with 400 and stores the rejection`, async () => {
      const marker = unique('currency');
      await expectRejected(
        await get('cellxpert', deposit(marker, { currency })),
        marker,
        400,
        'invalid_currency',
        'currency',
      );
    });
  }

  for (const country of ['XX', 'ESP', 'E1']) {
    it(`rejects country ${country} with 400 and stores the rejection`, async () => {
      const marker = unique('country');
      await expectRejected(
        await get('cellxpert', deposit(marker, { isocountry: country })),
        marker,
        400,
        'invalid_country',
        'country',
      );
    });
  }

  it('stores country UK as GB', async () => {
    const marker = unique('country-uk');
    const row = await expectAccepted(await get('cellxpert', deposit(marker, { isocountry: 'UK' })));
    expect(row.country).toBe('GB');
  });

  it('rejects an occurred_at more than 24 h in the future with 400 and stores the rejection', async () => {
    const marker = unique('future');
    const inDayAndHour = Math.floor(Date.now() / 1000) + 25 * 3600;
    await expectRejected(
      await get('affise', {
        probe: marker,
        goal: 'dep',
        brand: BRAND,
        transactionid: marker,
        timestamp: inDayAndHour,
      }),
      marker,
      400,
      'future_timestamp',
      'occurred_at',
    );
  });

  it('accepts an occurred_at 23 h in the future and stores it as sent', async () => {
    const marker = unique('near-future');
    const in23h = Math.floor(Date.now() / 1000) + 23 * 3600;
    const row = await expectAccepted(
      await get('affise', {
        probe: marker,
        goal: 'dep',
        brand: BRAND,
        transactionid: marker,
        timestamp: in23h,
      }),
    );
    expect(row.occurred_at).toBe(in23h * 1000);
  });

  for (const time of ['yesterday', '2024-02-30T10:00:00Z', '1999-12-31T23:59:59Z', '12345']) {
    it(`accepts an unparsable or implausible occurred_at (${time}) and stores the received time instead`, async () => {
      const marker = unique('bad-time');
      const row = await expectAccepted(await get('cellxpert', deposit(marker, { occurred_at: time })));
      expect(row.occurred_at).toBe(row.received_at);
    });
  }

  const CAPPED: Array<[string, string]> = [
    ['tracking_tag', 'trackingcode'],
    ['sub_id', 'afp'],
    ['transaction_id', 'depositid'],
    ['affiliate_id', 'affiliateid'],
    ['external_uid', 'userid'],
    ['brand', 'brand'],
  ];
  for (const [field, param] of CAPPED) {
    const cap = FIELD_MAX_LENGTH[field as keyof typeof FIELD_MAX_LENGTH];
    it(`rejects ${field} longer than ${cap} characters (not truncated) with 400 and stores the rejection`, async () => {
      const marker = unique(`long-${field}`);
      await expectRejected(
        await get('cellxpert', deposit(marker, { [param]: 'x'.repeat(cap + 1) })),
        marker,
        400,
        'field_too_long',
        field,
      );
    });
  }

  it('accepts a tracking tag of exactly 255 characters and stores it whole', async () => {
    const marker = unique('tag-255');
    const tag = `${marker}-`.padEnd(FIELD_MAX_LENGTH.tracking_tag, 'y');
    const row = await expectAccepted(await get('cellxpert', deposit(marker, { trackingcode: tag })));
    expect(row.tracking_tag).toBe(tag);
    expect(row.tracking_tag?.length).toBe(255);
  });

  const BAD_ENCODINGS: Array<[string, string]> = [
    ['a NUL byte (%00)', 'afp=ab%00cd'],
    ['invalid percent-encoding (%ZZ)', 'afp=ab%ZZ'],
    ['percent-encoded invalid UTF-8 (%C3%28)', 'afp=ab%C3%28'],
    ['a truncated escape (%E2%82)', 'afp=%E2%82'],
  ];
  for (const [what, raw] of BAD_ENCODINGS) {
    it(`rejects a parameter holding ${what} with 400 and stores the rejection`, async () => {
      const marker = unique('encoding');
      const res = await getRaw('cellxpert', `${query(deposit(marker))}&${raw}`);
      const row = await expectRejected(res, marker, 400, 'invalid_encoding', 'afp');
      expect(row.raw_query).toContain(raw);
    });
  }

  it('rejects a form body holding a raw NUL byte with 400 and stores the rejection', async () => {
    const marker = unique('raw-nul-body');
    const res = await postRawBody(
      'cellxpert',
      marker,
      `${query(deposit(marker))}&afp=ab\u0000cd`,
      'application/x-www-form-urlencoded',
    );
    await expectRejected(res, marker, 400, 'invalid_encoding', 'afp');
  });

  /** A NUL-holding rejection: 400, stored once, and no NUL in the verdict or the stored row. */
  async function expectNulRejected(res: LightMyRequestResponse, marker: string): Promise<void> {
    expect(res.statusCode, res.body).toBe(400);
    const body = verdict(res);
    expect(body).toMatchObject({ status: 'rejected', code: 'invalid_encoding' });
    expect(body.field ?? '').not.toContain('\u0000');
    expect(body.reason ?? '').not.toContain('\u0000');
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason_code: 'invalid_encoding', reason: body.reason, attempts: 1 });
    expect(await eventsWith(marker)).toHaveLength(0);
  }

  it('rejects a parameter name holding a NUL byte (af%00p) with 400 and stores the rejection without the NUL', async () => {
    const marker = unique('name-nul');
    await expectNulRejected(await getRaw('cellxpert', `${query(deposit(marker))}&af%00p=1`), marker);
  });

  it('rejects a JSON body whose parameter name holds a NUL (\\u0000) with 400 and stores the rejection without the NUL', async () => {
    const marker = unique('json-name-nul');
    const res = await postRawBody(
      'cellxpert',
      marker,
      `{"event":"dep","brand":"${BRAND}","af\\u0000p":"x"}`,
      'application/json',
    );
    await expectNulRejected(res, marker);
  });

  it('still accepts a good postback that shares its write batch with a NUL-holding bad one', async () => {
    const good = unique('batch-good');
    const bad = unique('batch-bad');
    const [goodRes, badRes] = await Promise.all([
      get('cellxpert', deposit(good)),
      postRawBody(
        'cellxpert',
        bad,
        `${query(deposit(bad))}&afp=ab\u0000cd`,
        'application/x-www-form-urlencoded',
      ),
    ]);
    await expectAccepted(goodRes);
    expect(await eventsWith(good)).toHaveLength(1);
    expect(badRes.statusCode).toBe(400);
  });

  it('rejects a parameter repeated with different values with 400 and stores the rejection', async () => {
    const marker = unique('repeated');
    const res = await getRaw('cellxpert', `${query(deposit(marker))}&afp=one&afp=two`);
    await expectRejected(res, marker, 400, 'repeated_parameter', 'sub_id');
  });

  it('accepts a parameter repeated with identical values', async () => {
    const marker = unique('repeated-same');
    const row = await expectAccepted(
      await getRaw('cellxpert', `${query(deposit(marker))}&afp=same&afp=same`),
    );
    expect(row.sub_id).toBe('same');
  });

  it('rejects a parameter given in the query and the body with different values', async () => {
    const marker = unique('query-body');
    const res = await t.app.inject({
      method: 'POST',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), probe: marker, afp: 'in-query' })}`,
      payload: query(deposit(marker, { probe: null, afp: 'in-body' })),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectRejected(res, marker, 400, 'repeated_parameter', 'sub_id');
  });

  for (const flag of ['maybe', '2', 'yep']) {
    it(`rejects the test flag "${flag}" with 400 and stores the rejection`, async () => {
      const marker = unique('test-flag');
      await expectRejected(
        await get('cellxpert', deposit(marker, { test: flag })),
        marker,
        400,
        'invalid_test_flag',
        'is_test',
      );
    });
  }

  it('accepts test=1 and test=false as flags and stores is_test accordingly', async () => {
    const on = await expectAccepted(await get('cellxpert', deposit(unique('flag-on'), { test: '1' })));
    expect(on.is_test).toBe(1);
    const off = await expectAccepted(await get('cellxpert', deposit(unique('flag-off'), { test: 'false' })));
    expect(off.is_test).toBe(0);
  });

  const BAD_JSON: Array<[string, string, string | undefined]> = [
    ['an array', '[{"event":"dep"}]', undefined],
    ['a string', '"event=dep"', undefined],
    ['a number', '42', undefined],
    ['null', 'null', undefined],
    ['not JSON at all', '{"event":', undefined],
    ['an object with a nested object', `{"event":"dep","brand":"${BRAND}","afp":{"a":1}}`, 'afp'],
    ['an object with an array value', `{"event":"dep","brand":"${BRAND}","afp":["a","b"]}`, 'afp'],
  ];
  for (const [what, body, field] of BAD_JSON) {
    it(`rejects a JSON body that is ${what} with 400 and stores the rejection`, async () => {
      const marker = unique('json-body');
      await expectRejected(
        await postRawBody('cellxpert', marker, body, 'application/json'),
        marker,
        400,
        'invalid_body',
        field,
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('stored rejections', () => {
  it('records the same bad request retried 6 times (as Affise retries) as one row with attempts = 6', async () => {
    const marker = unique('retried');
    const params = {
      probe: marker,
      goal: 'dep',
      brand: BRAND,
      transactionid: marker,
      sum: '1e3',
      currency: 'EUR',
    };
    for (let i = 0; i < 6; i += 1) {
      const res = await get('affise', params);
      expect(res.statusCode).toBe(400);
      expect(verdict(res)).toMatchObject({ status: 'rejected', code: 'invalid_amount', field: 'amount' });
    }
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    const row = rows[0] as RejectionRow;
    expect(row).toMatchObject({ attempts: 6, reason_code: 'invalid_amount', source_slug: 'affise' });
    expect(row.last_seen_at).toBeGreaterThanOrEqual(row.first_seen_at);
    expect(await eventsWith(marker)).toHaveLength(0);
  });

  it('records a bad request retried 6 times at once as one row with attempts = 6', async () => {
    const marker = unique('retried-burst');
    const params = deposit(marker, { isocountry: 'XX' });
    const results = await Promise.all(Array.from({ length: 6 }, () => get('cellxpert', params)));
    for (const res of results) {
      expect(res.statusCode).toBe(400);
      expect(verdict(res)).toMatchObject({ status: 'rejected', code: 'invalid_country' });
    }
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.attempts).toBe(6);
  });

  it('keeps two different bad requests as two rows', async () => {
    const marker = unique('two-bad');
    await get('cellxpert', deposit(marker, { isocountry: 'XX' }));
    await get('cellxpert', deposit(marker, { isocountry: 'YY' }));
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('values stored verbatim', () => {
  const HOSTILE: Array<[string, string]> = [
    ['SQL', "'; drop table events; --"],
    ['HTML', '<script>alert(1)</script>'],
    ['a spreadsheet formula', '=HYPERLINK("x")'],
  ];
  for (const [what, value] of HOSTILE) {
    it(`stores ${what} in tracking_tag and sub_id verbatim, not flagged as broken`, async () => {
      const marker = unique('hostile');
      const row = await expectAccepted(
        await get('cellxpert', deposit(marker, { trackingcode: value, afp: value })),
      );
      expect(row.tracking_tag).toBe(value);
      expect(row.sub_id).toBe(value);
      expect(row.broken_fields).toBeNull();
      expect(row.broken_macro).toBeNull();
    });
  }

  it('still has its events table after the SQL-looking value', async () => {
    const count = await t.ctx.db.kysely
      .selectFrom('events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('broken macros', () => {
  /** [macro as the network left it, the text in the URL, the value once decoded, the macro reported]. */
  const MACROS: Array<[string, string, string, string]> = [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal macro text is the point
    ['${clickId}', encodeURIComponent('${clickId}'), '${clickId}', '${clickId}'],
    ['{clickid}', encodeURIComponent('{clickid}'), '{clickid}', '{clickid}'],
    ['{{sub1}}', encodeURIComponent('{{sub1}}'), '{{sub1}}', '{{sub1}}'],
    ['%7Bclickid%7D (double-encoded)', '%257Bclickid%257D', '%7Bclickid%7D', '%7Bclickid%7D'],
    ['[[tid]]', encodeURIComponent('[[tid]]'), '[[tid]]', '[[tid]]'],
    ['#clickid#', '%23clickid%23', '#clickid#', '#clickid#'],
    ['[CLICK_ID]', encodeURIComponent('[CLICK_ID]'), '[CLICK_ID]', '[CLICK_ID]'],
  ];
  const FIELDS: Array<[string, string]> = [
    ['tracking_tag', 'trackingcode'],
    ['sub_id', 'afp'],
    ['affiliate_id', 'affiliateid'],
  ];
  for (const [macro, inUrl, stored, reported] of MACROS) {
    for (const [field, param] of FIELDS) {
      it(`accepts ${macro} in ${field} and flags it as a broken tag`, async () => {
        const marker = unique('macro');
        const res = await getRaw('cellxpert', `${query(deposit(marker))}&${param}=${inUrl}`);
        const row = await expectAccepted(res);
        expect(row[field as 'tracking_tag' | 'sub_id' | 'affiliate_id']).toBe(stored);
        expect(row.broken_fields).toBe(field);
        expect(row.broken_macro).toBe(reported);
        expect(await rejectionsWith(marker)).toHaveLength(0);
      });
    }
  }

  it('does not use a transaction id holding a macro for duplicates: two events with {transactionid} are both accepted', async () => {
    const a = unique('tx-macro-a');
    const b = unique('tx-macro-b');
    const common = { goal: 'dep', brand: BRAND, transactionid: '{transactionid}', currency: 'EUR' };
    const first = await expectAccepted(await get('affise', { ...common, probe: a, sum: '10' }));
    const second = await expectAccepted(await get('affise', { ...common, probe: b, sum: '20' }));
    expect(second.id).not.toBe(first.id);
    for (const row of [first, second]) {
      expect(row.transaction_id).toBe('{transactionid}');
      expect(row.broken_fields).toBe('transaction_id');
      expect(row.broken_macro).toBe('{transactionid}');
      expect(row.dedup_key).toBeNull();
    }
  });

  it('falls back to the player id for an FTD whose transaction id holds a macro', async () => {
    const a = unique('ftd-macro-a');
    const b = unique('ftd-macro-b');
    const common = { goal: 'ftd', brand: BRAND, transactionid: '{transactionid}' };
    const first = await expectAccepted(await get('affise', { ...common, probe: a, user_id: `u-${a}` }));
    const second = await expectAccepted(await get('affise', { ...common, probe: b, user_id: `u-${b}` }));
    expect(second.id).not.toBe(first.id);
    const again = await get('affise', { ...common, probe: `${a}-again`, user_id: `u-${a}` });
    expect(again.statusCode).toBe(200);
    expect(verdict(again)).toEqual({ status: 'duplicate', event_id: first.id });
  });
});

// ---------------------------------------------------------------------------------------------

describe('duplicates', () => {
  it('answers the same (source, type, transaction_id) with 200 duplicate and the first event_id, storing one row', async () => {
    const marker = unique('dup-tx');
    const first = await expectAccepted(await get('cellxpert', deposit(marker)));
    const res = await get('cellxpert', deposit(marker, { amount: '99' }));
    expect(res.statusCode).toBe(200);
    expect(verdict(res)).toEqual({ status: 'duplicate', event_id: first.id });
    const rows = await eventsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.amount_micros).toBe(10_000_000);
    expect(await rejectionsWith(marker)).toHaveLength(0);
  });

  it('answers duplicates sent at the same time with the one stored event_id', async () => {
    const marker = unique('dup-burst');
    const results = await Promise.all(Array.from({ length: 5 }, () => get('cellxpert', deposit(marker))));
    const bodies = results.map((r) => {
      expect(r.statusCode).toBe(200);
      return verdict(r);
    });
    expect(bodies.filter((b) => b.status === 'accepted')).toHaveLength(1);
    expect(bodies.filter((b) => b.status === 'duplicate')).toHaveLength(4);
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    expect(await eventsWith(marker)).toHaveLength(1);
  });

  it('accepts the same transaction id with a different type (an FTD and a DEP sharing a deposit id)', async () => {
    const marker = unique('ftd-dep');
    const ftd = await expectAccepted(await get('cellxpert', deposit(marker, { event: 'purchase' })));
    const dep = await expectAccepted(await get('cellxpert', deposit(marker, { event: 'deposit' })));
    expect(ftd.type).toBe('FTD');
    expect(dep.type).toBe('DEP');
    expect(dep.id).not.toBe(ftd.id);
    expect(ftd.transaction_id).toBe(dep.transaction_id);
    expect(await eventsWith(marker)).toHaveLength(2);
  });

  const ONCE_PER_PLAYER: Array<[string, string]> = [
    ['REG', 'registration'],
    ['FTD', 'purchase'],
    ['CPA', 'commission'],
  ];
  for (const [type, word] of ONCE_PER_PLAYER) {
    it(`answers a second ${type} for the same player without a transaction id as a duplicate`, async () => {
      const marker = unique(`dup-uid-${type}`);
      const params = deposit(marker, { event: word, depositid: null, userid: `player-${marker}` });
      const first = await expectAccepted(await get('cellxpert', params));
      expect(first.type).toBe(type);
      const res = await get('cellxpert', { ...params, afp: 'another-click' });
      expect(res.statusCode).toBe(200);
      expect(verdict(res)).toEqual({ status: 'duplicate', event_id: first.id });
      expect(await eventsWith(marker)).toHaveLength(1);
    });
  }

  it('stores two DEPs for the same player without a transaction id as two events', async () => {
    const marker = unique('dep-uid');
    const params = deposit(marker, { depositid: null, userid: `player-${marker}` });
    const first = await expectAccepted(await get('cellxpert', params));
    const second = await expectAccepted(await get('cellxpert', params));
    expect(second.id).not.toBe(first.id);
    expect(first.dedup_key).toBeNull();
    expect(await eventsWith(marker)).toHaveLength(2);
  });

  it('stores the same transaction id on two different sources as two events', async () => {
    const marker = unique('two-sources');
    const tx = `tx-${marker}`;
    const a = await expectAccepted(
      await get('cparound', {
        probe: marker,
        event: 'dep',
        brand: BRAND,
        tid: tx,
        payout: '5',
        currency: 'EUR',
      }),
    );
    const b = await expectAccepted(await get('cellxpert', deposit(marker, { depositid: tx })));
    expect(a.id).not.toBe(b.id);
    expect(a.source_id).not.toBe(b.source_id);
    expect(a.transaction_id).toBe(tx);
    expect(b.transaction_id).toBe(tx);
  });
});

// ---------------------------------------------------------------------------------------------

describe('brands', () => {
  function brandRows(slug: string) {
    return t.ctx.db.kysely.selectFrom('brands').selectAll().where('slug', '=', slug).execute();
  }

  it('creates a brand on its first accepted event', async () => {
    const slug = unique('freshbrand');
    expect(await brandRows(slug)).toHaveLength(0);
    const row = await expectAccepted(await get('cellxpert', deposit(unique('fresh'), { brand: slug })));
    const brands = await brandRows(slug);
    expect(brands).toHaveLength(1);
    expect(brands[0]).toMatchObject({ id: row.brand_id, is_blocked: 0, alias_of: null });
  });

  it('treats BritSino and britsino as the same brand', async () => {
    const suffix = unique('x').replace(/-/g, '');
    const a = await expectAccepted(
      await get('cellxpert', deposit(unique('bs-a'), { brand: `BritSino${suffix}` })),
    );
    const b = await expectAccepted(
      await get('cellxpert', deposit(unique('bs-b'), { brand: `britsino${suffix}` })),
    );
    const c = await expectAccepted(
      await get('cellxpert', deposit(unique('bs-c'), { brand: ` BRITSINO${suffix} ` })),
    );
    expect(b.brand_id).toBe(a.brand_id);
    expect(c.brand_id).toBe(a.brand_id);
    const rows = await t.ctx.db.kysely
      .selectFrom('brands')
      .selectAll()
      .where(sql<string>`lower(slug)`, '=', `britsino${suffix}`.toLowerCase())
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.slug).toBe(`britsino${suffix}`.toLowerCase());
  });

  it('creates no brand for a rejected postback', async () => {
    const slug = unique('ghostbrand');
    const marker = unique('ghost');
    await expectRejected(
      await get('cellxpert', deposit(marker, { brand: slug, amount: '12,50' })),
      marker,
      400,
      'invalid_amount',
      'amount',
    );
    expect(await brandRows(slug)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('rollups', () => {
  it('keeps rollup_hourly counts and sums for a brand equal to a recount of its events', async () => {
    const brand = `rollupbrand${process.pid}`;
    const m = () => unique('rollup');
    const sends: Array<Promise<LightMyRequestResponse>> = [];
    const cxParams = (changes: Record<string, string | null>) => deposit(m(), { brand, ...changes });
    const cx = (changes: Record<string, string | null>) => get('cellxpert', cxParams(changes));
    // Accepted: FTD and DEP in EUR and USD, test events, a REG without amount, a broken tag.
    const firstParams = cxParams({ event: 'purchase', amount: '10.5' });
    sends.push(get('cellxpert', firstParams));
    sends.push(cx({ event: 'purchase', amount: '20', currency: 'USD' }));
    sends.push(cx({ event: 'dep', amount: '0.000001' }));
    sends.push(cx({ event: 'dep', amount: '999.999999', test: '1' }));
    sends.push(cx({ event: 'registration', amount: null, currency: null, userid: m() }));
    sends.push(
      cx({ event: 'registration', amount: null, currency: null, userid: m(), trackingcode: '{tag}' }),
    );
    sends.push(cx({ event: 'commission', amount: '50', currency: 'GBP', affiliateid: 'aff-rollup' }));
    sends.push(
      get('affise', {
        probe: m(),
        goal: 'dep',
        brand,
        transactionid: m(),
        sum: '3',
        currency: 'EUR',
        timestamp: 1714564800,
      }),
    );
    // Rejected: must not count.
    sends.push(cx({ event: 'dep', amount: '-1' }));
    sends.push(cx({ event: 'dep', isocountry: 'XX' }));
    const results = await Promise.all(sends);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 400, 400]);
    // A duplicate of an accepted event: must not count twice.
    const firstId = verdict(results[0] as LightMyRequestResponse).event_id;
    const dup = await get('cellxpert', firstParams);
    expect(dup.statusCode).toBe(200);
    expect(verdict(dup)).toEqual({ status: 'duplicate', event_id: firstId });

    const brandRow = await t.ctx.db.kysely
      .selectFrom('brands')
      .select('id')
      .where('slug', '=', brand)
      .executeTakeFirstOrThrow();

    const rollup = await t.ctx.db.kysely
      .selectFrom('rollup_hourly')
      .select((eb) => [
        'type',
        'currency',
        'is_test',
        eb.fn.sum<number | string>('event_count').as('n'),
        eb.fn.sum<number | string>('amount_micros').as('amount'),
        eb.fn.sum<number | string>('broken_count').as('broken'),
      ])
      .where('brand_id', '=', brandRow.id)
      .groupBy(['type', 'currency', 'is_test'])
      .execute();
    const recount = await t.ctx.db.kysely
      .selectFrom('events')
      .select((eb) => [
        'type',
        eb.fn.coalesce('currency', sql.lit('')).as('currency'),
        'is_test',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn.sum<number | string>(eb.fn.coalesce('amount_micros', sql.lit(0))).as('amount'),
        eb.fn.sum<number | string>(sql`case when broken_fields is null then 0 else 1 end`).as('broken'),
      ])
      .where('brand_id', '=', brandRow.id)
      .groupBy(['type', sql`coalesce(currency, '')`, 'is_test'])
      .execute();

    type Group = {
      type: string;
      currency: string | null;
      is_test: number;
      n: number | string;
      amount: number | string;
      broken: number | string;
    };
    const normalise = (rows: Group[]) =>
      rows
        .map((r) => ({
          key: `${r.type}|${r.currency ?? ''}|${Number(r.is_test)}`,
          n: Number(r.n),
          amount: Number(r.amount),
          broken: Number(r.broken),
        }))
        .sort((a, b) => a.key.localeCompare(b.key));

    const fromRollup = normalise(rollup);
    expect(fromRollup).toEqual(normalise(recount));
    expect(fromRollup).toEqual([
      { key: 'CPA|GBP|0', n: 1, amount: 50_000_000, broken: 0 },
      { key: 'DEP|EUR|0', n: 2, amount: 3_000_001, broken: 0 },
      { key: 'DEP|EUR|1', n: 1, amount: 999_999_999, broken: 0 },
      { key: 'FTD|EUR|0', n: 1, amount: 10_500_000, broken: 0 },
      { key: 'FTD|USD|0', n: 1, amount: 20_000_000, broken: 0 },
      { key: 'REG||0', n: 2, amount: 0, broken: 1 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the source key is never stored', () => {
  const key = () => keyOf(t, 'cellxpert');

  it('keeps the key out of an accepted GET postback raw_query', async () => {
    const row = await expectAccepted(await get('cellxpert', deposit(unique('key-get'))));
    expect(row.raw_query).not.toContain(key());
    expect(row.raw_query).toMatch(/(^|&)key=\*\*\*(&|$)/);
  });

  it('keeps the key out of an accepted form body raw_body', async () => {
    const row = await expectAccepted(await postForm('cellxpert', deposit(unique('key-form'))));
    expect(row.raw_body).not.toBeNull();
    expect(row.raw_body).not.toContain(key());
    expect(row.raw_query).not.toContain(key());
  });

  it('keeps the key out of an accepted JSON body raw_body ("key")', async () => {
    const row = await expectAccepted(await postJson('cellxpert', deposit(unique('key-json'))));
    expect(row.raw_body).not.toContain(key());
    expect(row.raw_body).toContain('"key":"***"');
  });

  it('keeps the key out of a JSON body with spaces around the colon', async () => {
    const marker = unique('key-json-spaced');
    const body = `{ "key" : "${key()}", "probe": "${marker}", "event": "dep", "brand": "${BRAND}", "depositid": "${marker}" }`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/postback/cellxpert',
      payload: body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    const row = await expectAccepted(res);
    expect(row.raw_body).not.toContain(key());
  });

  it('keeps the api_key and secret parameter names out of raw_query too', async () => {
    for (const name of ['api_key', 'secret', 'KEY']) {
      const marker = unique(`key-${name}`);
      const res = await t.app.inject({
        method: 'GET',
        url: `/postback/cellxpert?${query({ ...deposit(marker), [name]: key() })}`,
      });
      const row = await expectAccepted(res);
      expect(row.raw_query).not.toContain(key());
    }
  });

  it('keeps the key out of a rejection raw_query', async () => {
    const marker = unique('key-rejected');
    const row = await expectRejected(
      await get('cellxpert', deposit(marker, { amount: '0x10' })),
      marker,
      400,
      'invalid_amount',
      'amount',
    );
    expect(row.raw_query).not.toContain(key());
    expect(row.raw_query).toContain('key=***');
  });

  it('keeps the key out of a rejection raw_body (form and JSON)', async () => {
    const formMarker = unique('key-rejected-form');
    const form = await expectRejected(
      await postForm('cellxpert', deposit(formMarker, { isocountry: 'XX' })),
      formMarker,
      400,
      'invalid_country',
      'country',
    );
    expect(form.raw_body).not.toContain(key());
    const jsonMarker = unique('key-rejected-json');
    const json = await expectRejected(
      await postJson('cellxpert', deposit(jsonMarker, { isocountry: 'XX' })),
      jsonMarker,
      400,
      'invalid_country',
      'country',
    );
    expect(json.raw_body).not.toContain(key());
    expect(json.raw_body).toContain('"key":"***"');
  });

  it('keeps the key out of a rejection for a body that is not valid JSON', async () => {
    const marker = unique('key-broken-json');
    const res = await t.app.inject({
      method: 'POST',
      url: `/postback/cellxpert?probe=${marker}`,
      payload: `{"key":"${key()}","event":"dep",`,
      headers: { 'content-type': 'application/json' },
    });
    const row = await expectRejected(res, marker, 400, 'invalid_body');
    expect(row.raw_body).not.toContain(key());
  });

  for (const name of ['%6Bey', 'K%65Y', '+key', '%20key']) {
    it(`keeps the key out of raw_query when its parameter name is written ${name}`, async () => {
      const marker = unique('key-encoded-name');
      const res = await t.app.inject({
        method: 'GET',
        url: `/postback/cellxpert?${name}=${encodeURIComponent(key())}&${query(deposit(marker))}`,
      });
      const row = await expectAccepted(res);
      expect(row.raw_query).not.toContain(key());
    });
  }

  it('keeps the key out of raw_body when its JSON name is written with an escape ("k\\u0065y")', async () => {
    const marker = unique('key-json-escaped');
    const res = await t.app.inject({
      method: 'POST',
      url: '/postback/cellxpert',
      payload: `{"k\\u0065y":"${key()}","probe":"${marker}","event":"dep","brand":"${BRAND}","depositid":"${marker}"}`,
      headers: { 'content-type': 'application/json' },
    });
    const row = await expectAccepted(res);
    expect(row.raw_body).not.toContain(key());
  });
});

// ---------------------------------------------------------------------------------------------

describe('answering in plain text', () => {
  it('answers Accept: text/plain with one line for an accepted event', async () => {
    const marker = unique('text-accepted');
    const res = await get('cellxpert', deposit(marker), { accept: 'text/plain' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const [stored] = await eventsWith(marker);
    expect(res.body).toBe(`accepted ${stored?.id}\n`);
  });

  it('answers Accept: text/plain with one line for a duplicate', async () => {
    const marker = unique('text-dup');
    const first = await expectAccepted(await get('cellxpert', deposit(marker)));
    const res = await get('cellxpert', deposit(marker), { accept: 'text/plain' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`duplicate ${first.id}\n`);
  });

  it('answers Accept: text/plain with one line and the same status for a rejection', async () => {
    const marker = unique('text-rejected');
    const res = await get('cellxpert', deposit(marker, { amount: '12,50' }), { accept: 'text/plain' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^rejected: [^\n]+\n$/);
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(res.body).toBe(`rejected: ${rows[0]?.reason}\n`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('hostile source slugs', () => {
  it('rejects a source slug holding a NUL byte with 404 and stores the rejection', async () => {
    const marker = unique('slug-nul');
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/bad%00slug?${query(deposit(marker))}`,
    });
    const row = await expectRejected(res, marker, 404, 'unknown_source');
    expect(row.source_id).toBeNull();
  });
});
