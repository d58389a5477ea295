/**
 * `POST /api/v1/events` against a real database: bearer token, single events and batches with
 * per-item verdicts, the batch size limit, Idempotency-Key replays and the default sender.
 * Every test checks the HTTP status, the JSON answer and what is (or is not) stored.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventVerdict } from '../../src/contracts/events.js';
import type { EventRow, RejectionRow } from '../../src/db/schema.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp('api-events');
  AUTH = { authorization: `Bearer ${t.apiToken}` };
});

afterAll(async () => {
  await t?.close();
});

const BRAND = 'apibrand';
let AUTH: Record<string, string> = {};

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

type Item = Record<string, string | number | boolean | null>;

/** A valid deposit for the cellxpert source; the marker is its transaction id and tracking tag. */
function deposit(marker: string, changes: Item = {}): Item {
  return {
    source: 'cellxpert',
    event: 'dep',
    brand: BRAND,
    transaction_id: `tx-${marker}`,
    tracking_tag: marker,
    amount: '10.50',
    currency: 'EUR',
    ...changes,
  };
}

interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: EventVerdict[];
}

function post(body: unknown, headers: Record<string, string> = AUTH) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function eventsWith(marker: string): Promise<EventRow[]> {
  return t.ctx.db.kysely
    .selectFrom('events')
    .selectAll()
    .where('raw_body', 'like', `%${marker}%`)
    .orderBy('id')
    .execute();
}

function rejectionsWith(marker: string): Promise<RejectionRow[]> {
  return t.ctx.db.kysely
    .selectFrom('rejections')
    .selectAll()
    .where('raw_body', 'like', `%${marker}%`)
    .execute();
}

async function eventById(id: number | undefined): Promise<EventRow> {
  if (id === undefined) throw new Error('the verdict carries no event_id');
  return t.ctx.db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function json<T>(res: LightMyRequestResponse): T {
  return res.json<T>();
}

// ---------------------------------------------------------------------------------------------

describe('bearer token', () => {
  it('answers 401 without a token and with a wrong token, with the same body, and stores nothing', async () => {
    const marker = unique('no-token');
    const without = await post(deposit(marker), {});
    const wrong = await post(deposit(marker), { authorization: 'Bearer wrong-token-0123456789abcdef' });
    const notBearer = await post(deposit(marker), { authorization: `Basic ${t.apiToken}` });
    for (const res of [without, wrong, notBearer]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    expect(wrong.body).toBe(without.body);
    expect(notBearer.body).toBe(without.body);
    expect(await eventsWith(marker)).toHaveLength(0);
    expect(await rejectionsWith(marker)).toHaveLength(0);
  });

  it('answers 401 before looking at the body: an invalid body without a token is 401, not 400', async () => {
    const res = await post({ not: 'an event' }, {});
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});

// ---------------------------------------------------------------------------------------------

describe('single events', () => {
  it('answers a single accepted event with its verdict and stores it with the API client name as sender', async () => {
    const marker = unique('single');
    const res = await post(
      deposit(marker, {
        affiliate_id: 'aff-1',
        sub_id: 'sub-1',
        external_uid: `player-${marker}`,
        country: 'de',
        occurred_at: '2024-05-01T12:00:00Z',
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = json<EventVerdict>(res);
    expect(body).toEqual({ index: 0, status: 'accepted', event_id: expect.any(Number) });
    const row = await eventById(body.event_id);
    expect(row).toMatchObject({
      type: 'DEP',
      raw_event: 'dep',
      source_id: t.sources.get('cellxpert')?.id,
      affiliate_id: 'aff-1',
      sub_id: 'sub-1',
      external_uid: `player-${marker}`,
      transaction_id: `tx-${marker}`,
      tracking_tag: marker,
      country: 'DE',
      amount_micros: 10_500_000,
      currency: 'EUR',
      occurred_at: Date.UTC(2024, 4, 1, 12, 0, 0),
      sender: 'test-client',
      is_test: 0,
    });
    expect(await eventsWith(marker)).toHaveLength(1);
  });

  it('accepts numbers and booleans as field values', async () => {
    const marker = unique('scalars');
    const res = await post(deposit(marker, { amount: 12.5, is_test: true, affiliate_id: 42 }));
    expect(res.statusCode, res.body).toBe(200);
    const row = await eventById(json<EventVerdict>(res).event_id);
    expect(row).toMatchObject({ amount_micros: 12_500_000, is_test: 1, affiliate_id: '42' });
  });

  it('keeps an explicit sender instead of the default', async () => {
    const marker = unique('sender');
    const res = await post(deposit(marker, { sender: 'crm-nightly' }));
    expect(res.statusCode).toBe(200);
    const row = await eventById(json<EventVerdict>(res).event_id);
    expect(row.sender).toBe('crm-nightly');
  });

  it('accepts `type` as the event field', async () => {
    const marker = unique('type-field');
    const item = deposit(marker, { type: 'ftd' });
    delete item.event;
    const res = await post(item);
    expect(res.statusCode, res.body).toBe(200);
    expect((await eventById(json<EventVerdict>(res).event_id)).type).toBe('FTD');
  });

  it('answers a single rejected event with its 400 verdict and stores the rejection', async () => {
    const marker = unique('single-bad');
    const res = await post(deposit(marker, { amount: '12,50' }));
    expect(res.statusCode).toBe(400);
    const body = json<EventVerdict>(res);
    expect(body).toEqual({
      index: 0,
      status: 'rejected',
      code: 'invalid_amount',
      field: 'amount',
      reason: expect.any(String),
    });
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reason_code: 'invalid_amount',
      reason: body.reason,
      source_slug: 'cellxpert',
      attempts: 1,
    });
    expect(await eventsWith(marker)).toHaveLength(0);
  });

  it('answers a duplicate with 200 and the first event_id, storing one row', async () => {
    const marker = unique('single-dup');
    const first = json<EventVerdict>(await post(deposit(marker)));
    const res = await post(deposit(marker, { amount: '99' }));
    expect(res.statusCode).toBe(200);
    expect(json<EventVerdict>(res)).toEqual({ index: 0, status: 'duplicate', event_id: first.event_id });
    expect(await eventsWith(marker)).toHaveLength(1);
  });

  it('rejects an item for an unknown source with 404 and stores the rejection', async () => {
    const marker = unique('unknown-source');
    const res = await post(deposit(marker, { source: 'no-such-source' }));
    expect(res.statusCode).toBe(404);
    const body = json<EventVerdict>(res);
    expect(body).toEqual({
      index: 0,
      status: 'rejected',
      code: 'unknown_source',
      field: 'source',
      reason: expect.any(String),
    });
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reason_code: 'unknown_source',
      source_slug: 'no-such-source',
      source_id: null,
    });
    expect(await eventsWith(marker)).toHaveLength(0);
  });

  it('answers 400 for a body that is not an event (no source) and stores nothing', async () => {
    const marker = unique('no-source');
    const item = deposit(marker);
    delete item.source;
    const res = await post(item);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(await eventsWith(marker)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('batches', () => {
  it('answers a batch of 3 with one bad item with per-item verdicts and counts, storing the 2 good ones', async () => {
    const a = unique('batch-a');
    const b = unique('batch-b');
    const c = unique('batch-c');
    const res = await post([
      deposit(a),
      deposit(b, { country: 'XX' }),
      deposit(c, { event: 'reg', amount: null }),
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const body = json<BatchAnswer>(res);
    expect(body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted', event_id: expect.any(Number) },
        {
          index: 1,
          status: 'rejected',
          code: 'invalid_country',
          field: 'country',
          reason: expect.any(String),
        },
        { index: 2, status: 'accepted', event_id: expect.any(Number) },
      ],
    });
    const [first, , third] = body.results;
    expect((await eventById(first?.event_id)).tracking_tag).toBe(a);
    expect(await eventById(third?.event_id)).toMatchObject({
      tracking_tag: c,
      type: 'REG',
      amount_micros: null,
    });
    expect(await eventsWith(b)).toHaveLength(0);
    const rejected = await rejectionsWith(b);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason_code).toBe('invalid_country');
  });

  it('accepts the { events: [...] } form and counts a duplicate inside the batch', async () => {
    const a = unique('wrapped');
    const res = await post({ events: [deposit(a), deposit(a)] });
    expect(res.statusCode, res.body).toBe(200);
    const body = json<BatchAnswer>(res);
    expect(body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    const [first, second] = body.results;
    expect(first?.status).toBe('accepted');
    expect(second).toEqual({ index: 1, status: 'duplicate', event_id: first?.event_id });
    expect(await eventsWith(a)).toHaveLength(1);
  });

  it('answers a batch with an unknown source in one item with that item rejected', async () => {
    const a = unique('batch-src-a');
    const b = unique('batch-src-b');
    const res = await post([deposit(a), deposit(b, { source: 'nowhere' })]);
    expect(res.statusCode).toBe(200);
    const body = json<BatchAnswer>(res);
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(body.results[1]).toMatchObject({ index: 1, status: 'rejected', code: 'unknown_source' });
    expect(await eventsWith(a)).toHaveLength(1);
    expect(await eventsWith(b)).toHaveLength(0);
    expect(await rejectionsWith(b)).toHaveLength(1);
  });

  it('answers 400 for 1001 items and stores none of them', async () => {
    const marker = unique('too-many');
    const items = Array.from({ length: 1001 }, (_, i) => deposit(`${marker}-${i}`));
    const res = await post(items);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(await eventsWith(marker)).toHaveLength(0);
    expect(await rejectionsWith(marker)).toHaveLength(0);
  });

  it('accepts exactly 1000 items', async () => {
    const marker = unique('thousand');
    const items = Array.from({ length: 1000 }, (_, i) => deposit(`${marker}-${i}`, { brand: 'apithousand' }));
    const res = await post(items);
    expect(res.statusCode).toBe(200);
    expect(json<BatchAnswer>(res)).toMatchObject({ accepted: 1000, duplicates: 0, rejected: 0 });
    expect(await eventsWith(marker)).toHaveLength(1000);
  });

  it('answers 400 for an empty batch', async () => {
    const res = await post([]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request' } });
  });
});

// ---------------------------------------------------------------------------------------------

describe('Idempotency-Key', () => {
  it('answers a retry with the same body and does not ingest twice', async () => {
    const marker = unique('idem');
    // No transaction id and a DEP: without the key, a second call would store a second event.
    const items = [
      deposit(marker, { transaction_id: null }),
      deposit(`${marker}-b`, { transaction_id: null }),
    ];
    const headers = { ...AUTH, 'idempotency-key': `key-${marker}` };
    const first = await post(items, headers);
    expect(first.statusCode).toBe(200);
    expect(json<BatchAnswer>(first)).toMatchObject({ accepted: 2 });
    const retry = await post(items, headers);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replay']).toBe('true');
    expect(await eventsWith(marker)).toHaveLength(2);
  });

  it('replays a rejected single event with the same status and body, storing the rejection once', async () => {
    const marker = unique('idem-rejected');
    const headers = { ...AUTH, 'idempotency-key': `key-${marker}` };
    const first = await post(deposit(marker, { currency: 'EURO' }), headers);
    expect(first.statusCode).toBe(400);
    const retry = await post(deposit(marker, { currency: 'EURO' }), headers);
    expect(retry.statusCode).toBe(400);
    expect(retry.body).toBe(first.body);
    const rows = await rejectionsWith(marker);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.attempts).toBe(1);
  });

  it('answers 422 when the same key comes with a different body, and stores nothing new', async () => {
    const marker = unique('idem-other');
    const headers = { ...AUTH, 'idempotency-key': `key-${marker}` };
    const first = await post(deposit(marker, { transaction_id: null }), headers);
    expect(first.statusCode).toBe(200);
    const other = await post(deposit(`${marker}-other`, { transaction_id: null }), headers);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'unprocessable', field: 'Idempotency-Key' } });
    expect(await eventsWith(`${marker}-other`)).toHaveLength(0);
    expect(await eventsWith(marker)).toHaveLength(1);
  });

  it('ingests again for the same body under a different key', async () => {
    const marker = unique('idem-two-keys');
    const item = deposit(marker, { transaction_id: null });
    await post(item, { ...AUTH, 'idempotency-key': `one-${marker}` });
    const second = await post(item, { ...AUTH, 'idempotency-key': `two-${marker}` });
    expect(second.statusCode).toBe(200);
    expect(json<EventVerdict>(second).status).toBe('accepted');
    expect(await eventsWith(marker)).toHaveLength(2);
  });

  it('answers 400 for an Idempotency-Key longer than 200 characters and stores nothing', async () => {
    const marker = unique('idem-long');
    const res = await post(deposit(marker), { ...AUTH, 'idempotency-key': 'k'.repeat(201) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request', field: 'Idempotency-Key' } });
    expect(await eventsWith(marker)).toHaveLength(0);
  });

  it('does not ingest twice when a retry with the same key arrives while the first call is still running', async () => {
    const marker = unique('idem-concurrent');
    const item = deposit(marker, { transaction_id: null });
    const headers = { ...AUTH, 'idempotency-key': `key-${marker}` };
    const answers = await Promise.all([post(item, headers), post(item, headers)]);
    // One call runs; the overlapping one either replays its answer or is told to retry (409).
    const ran = answers.filter((a) => a.statusCode === 200);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (const a of ran) expect(a.body).toBe(ran[0]?.body);
    for (const a of answers.filter((x) => x.statusCode !== 200)) {
      expect(a.statusCode).toBe(409);
      expect(a.headers['retry-after']).toBe('1');
    }
    expect(await eventsWith(marker)).toHaveLength(1);
    const retry = await post(item, headers);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toBe(ran[0]?.body);
  });
});
