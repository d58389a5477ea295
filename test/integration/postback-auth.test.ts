/**
 * Who may post: source keys (query, body, header), inactive sources, key rotation with its grace
 * period, IP allow-lists and HMAC-signed sources. Every test checks the HTTP status, the JSON
 * verdict and what is (or is not) stored.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRow, RejectionRow, SourceRow } from '../../src/db/schema.js';
import { signingPayload, signPayload } from '../../src/ingest/authenticate-source.js';
import type { VerdictBody } from '../../src/routes/postback/verdict-reply.js';
import { rotateSourceKey } from '../../src/sources/source-service.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp('postback-auth');
});

afterAll(async () => {
  await t?.close();
});

const BRAND = 'authbrand';

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** A valid deposit postback (generic names) carrying a marker to find it in the database. */
function deposit(marker: string): Record<string, string> {
  return {
    probe: marker,
    event: 'dep',
    brand: BRAND,
    transaction_id: `tx-${marker}`,
    amount: '10',
    currency: 'EUR',
  };
}

function verdict(res: LightMyRequestResponse): VerdictBody {
  return res.json<VerdictBody>();
}

function eventsWith(marker: string): Promise<EventRow[]> {
  return t.ctx.db.kysely
    .selectFrom('events')
    .selectAll()
    .where((eb) => eb.or([eb('raw_query', 'like', `%${marker}%`), eb('raw_body', 'like', `%${marker}%`)]))
    .execute();
}

function rejectionsWith(marker: string): Promise<RejectionRow[]> {
  return t.ctx.db.kysely
    .selectFrom('rejections')
    .selectAll()
    .where((eb) => eb.or([eb('raw_query', 'like', `%${marker}%`), eb('raw_body', 'like', `%${marker}%`)]))
    .execute();
}

async function expectAccepted(res: LightMyRequestResponse, marker: string): Promise<EventRow> {
  expect(res.statusCode, res.body).toBe(200);
  const body = verdict(res);
  expect(body).toEqual({ status: 'accepted', event_id: expect.any(Number) });
  const rows = await eventsWith(marker);
  expect(rows).toHaveLength(1);
  const row = rows[0] as EventRow;
  expect(row.id).toBe(body.event_id);
  expect(await rejectionsWith(marker)).toHaveLength(0);
  return row;
}

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
  const rows = await rejectionsWith(marker);
  expect(rows).toHaveLength(1);
  const row = rows[0] as RejectionRow;
  expect(row).toMatchObject({ reason_code: code, reason: body.reason, field: field ?? null, attempts: 1 });
  expect(await eventsWith(marker)).toHaveLength(0);
  return row;
}

function getWith(slug: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: `/postback/${slug}?${query(params)}`, headers });
}

async function freshSource(prefix: string, extra: Partial<Parameters<TestApp['addSource']>[0]> = {}) {
  const slug = unique(prefix).toLowerCase();
  return t.addSource({ slug, template: 'generic', ...extra });
}

// ---------------------------------------------------------------------------------------------

describe('source keys', () => {
  it('rejects a wrong key with 401 and stores the rejection', async () => {
    const marker = unique('wrong-key');
    const res = await getWith('cellxpert', { key: 'not-the-key', ...deposit(marker) });
    const row = await expectRejected(res, marker, 401, 'bad_key', 'key');
    // The source exists, so the rejection is counted against it (Deal Audit), key or no key.
    expect(row).toMatchObject({
      source_slug: 'cellxpert',
      source_id: Number(t.sources.get('cellxpert')?.id),
    });
    expect(row.raw_query).not.toContain('not-the-key');
  });

  it('rejects a key that is the right key with a character missing with 401', async () => {
    const marker = unique('short-key');
    const res = await getWith('cellxpert', { key: keyOf(t, 'cellxpert').slice(0, -1), ...deposit(marker) });
    await expectRejected(res, marker, 401, 'bad_key', 'key');
  });

  it("rejects another source's key with 401", async () => {
    const marker = unique('other-key');
    const res = await getWith('cellxpert', { key: keyOf(t, 'affise'), ...deposit(marker) });
    await expectRejected(res, marker, 401, 'bad_key', 'key');
  });

  it('rejects a missing key with 401 and stores the rejection', async () => {
    const marker = unique('missing-key');
    await expectRejected(await getWith('cellxpert', deposit(marker)), marker, 401, 'bad_key', 'key');
  });

  it('rejects an empty key with 401 and stores the rejection', async () => {
    const marker = unique('empty-key');
    await expectRejected(
      await getWith('cellxpert', { key: '', ...deposit(marker) }),
      marker,
      401,
      'bad_key',
      'key',
    );
  });

  it('accepts the key in the X-Postback-Key header', async () => {
    const marker = unique('header-key');
    const res = await getWith('cellxpert', deposit(marker), { 'x-postback-key': keyOf(t, 'cellxpert') });
    const row = await expectAccepted(res, marker);
    expect(row.raw_query).not.toContain(keyOf(t, 'cellxpert'));
  });

  it('accepts the key in the X-Api-Key header', async () => {
    const marker = unique('api-key-header');
    const res = await getWith('cellxpert', deposit(marker), { 'x-api-key': keyOf(t, 'cellxpert') });
    await expectAccepted(res, marker);
  });

  it('rejects a wrong key in the X-Postback-Key header with 401', async () => {
    const marker = unique('header-wrong');
    const res = await getWith('cellxpert', deposit(marker), { 'x-postback-key': 'nope' });
    await expectRejected(res, marker, 401, 'bad_key', 'key');
  });

  it('accepts the key in a form body', async () => {
    const marker = unique('body-key');
    const res = await t.app.inject({
      method: 'POST',
      url: '/postback/cellxpert',
      payload: query({ key: keyOf(t, 'cellxpert'), ...deposit(marker) }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const row = await expectAccepted(res, marker);
    expect(row.raw_body).not.toContain(keyOf(t, 'cellxpert'));
  });

  it('rejects a postback to an inactive source with 404 and stores the rejection', async () => {
    const source = await freshSource('inactive');
    const working = unique('inactive-before');
    await expectAccepted(
      await getWith(source.slug, { key: source.secret_key, ...deposit(working) }),
      working,
    );

    await t.ctx.db.kysely.updateTable('sources').set({ is_active: 0 }).where('id', '=', source.id).execute();
    await t.ctx.sources.refresh();

    const marker = unique('inactive');
    const row = await expectRejected(
      await getWith(source.slug, { key: source.secret_key, ...deposit(marker) }),
      marker,
      404,
      'source_inactive',
    );
    expect(row.source_slug).toBe(source.slug);
  });
});

// ---------------------------------------------------------------------------------------------

describe('key rotation', () => {
  async function rotate(source: SourceRow, graceSeconds: number, now?: number): Promise<SourceRow> {
    const row = await rotateSourceKey(t.ctx.db, source.slug, graceSeconds, now);
    await t.ctx.sources.refresh();
    return row;
  }

  it('accepts the new key and, during the grace period, the old key', async () => {
    const source = await freshSource('rotate-grace');
    const rotated = await rotate(source, 3600);
    expect(rotated.secret_key).not.toBe(source.secret_key);
    expect(rotated.previous_key).toBe(source.secret_key);

    const withNew = unique('rotate-new');
    await expectAccepted(
      await getWith(source.slug, { key: rotated.secret_key, ...deposit(withNew) }),
      withNew,
    );
    const withOld = unique('rotate-old');
    await expectAccepted(
      await getWith(source.slug, { key: source.secret_key, ...deposit(withOld) }),
      withOld,
    );
  });

  it('refuses the old key with 401 once rotated with a grace of 0', async () => {
    const source = await freshSource('rotate-zero');
    const rotated = await rotate(source, 0);
    expect(rotated.previous_key).toBeNull();

    const withOld = unique('rotate-zero-old');
    await expectRejected(
      await getWith(source.slug, { key: source.secret_key, ...deposit(withOld) }),
      withOld,
      401,
      'bad_key',
      'key',
    );
    const withNew = unique('rotate-zero-new');
    await expectAccepted(
      await getWith(source.slug, { key: rotated.secret_key, ...deposit(withNew) }),
      withNew,
    );
  });

  it('refuses the old key with 401 once its grace period has expired', async () => {
    const source = await freshSource('rotate-expired');
    // Rotated two minutes ago with a one-minute grace.
    const rotated = await rotate(source, 60, Date.now() - 120_000);
    expect(rotated.previous_key).toBe(source.secret_key);
    expect(rotated.previous_key_expires_at).toBeLessThan(Date.now());

    const withOld = unique('rotate-expired-old');
    await expectRejected(
      await getWith(source.slug, { key: source.secret_key, ...deposit(withOld) }),
      withOld,
      401,
      'bad_key',
      'key',
    );
    const withNew = unique('rotate-expired-new');
    await expectAccepted(
      await getWith(source.slug, { key: rotated.secret_key, ...deposit(withNew) }),
      withNew,
    );
  });

  it('keeps the key from two rotations ago within its own grace period, and no longer', async () => {
    const t0 = Date.now();
    const source = await freshSource('rotate-twice');
    const first = await rotate(source, 3600, t0);
    const second = await rotate(first, 3600, t0 + 60_000);
    expect(second.previous_key).toBe(first.secret_key);
    expect(second.older_key).toBe(source.secret_key);
    expect(Number(second.older_key_expires_at)).toBe(t0 + 3600_000);

    const oldest = unique('rotate-twice-oldest');
    await expectAccepted(await getWith(source.slug, { key: source.secret_key, ...deposit(oldest) }), oldest);
    const middle = unique('rotate-twice-middle');
    await expectAccepted(await getWith(source.slug, { key: first.secret_key, ...deposit(middle) }), middle);

    // A third rotation pushes the oldest out, grace or not.
    await rotate(second, 3600, t0 + 120_000);
    const gone = unique('rotate-thrice-oldest');
    await expectRejected(
      await getWith(source.slug, { key: source.secret_key, ...deposit(gone) }),
      gone,
      401,
      'bad_key',
      'key',
    );
  });

  it('refuses the older key once its own grace period is over', async () => {
    const t0 = Date.now() - 3000_000;
    const source = await freshSource('rotate-older-expired');
    const first = await rotate(source, 3600, t0); // the original key's grace ends at t0 + 1 h: in 10 min
    await rotate(first, 3600, Date.now());
    const original = unique('rotate-older-valid');
    await expectAccepted(
      await getWith(source.slug, { key: source.secret_key, ...deposit(original) }),
      original,
    );

    const expired = await freshSource('rotate-older-gone');
    const one = await rotate(expired, 3600, Date.now() - 7200_000); // its grace ended an hour ago
    const two = await rotate(one, 3600, Date.now());
    expect(two.older_key).toBeNull();
    const late = unique('rotate-older-late');
    await expectRejected(
      await getWith(expired.slug, { key: expired.secret_key, ...deposit(late) }),
      late,
      401,
      'bad_key',
      'key',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('IP allow-list', () => {
  let source: SourceRow;
  beforeAll(async () => {
    source = await freshSource('allowlist', { ipAllowlist: ['10.1.0.0/16'] });
  });

  function fromAddress(marker: string, remoteAddress: string) {
    return t.app.inject({
      method: 'GET',
      url: `/postback/${source.slug}?${query({ key: source.secret_key, ...deposit(marker) })}`,
      remoteAddress,
    });
  }

  it('accepts a postback from an address inside the allowed range (10.1.2.3)', async () => {
    const marker = unique('ip-inside');
    const row = await expectAccepted(await fromAddress(marker, '10.1.2.3'), marker);
    expect(row.ip).toBe('10.1.2.3');
  });

  it('accepts an IPv4-mapped IPv6 address inside the allowed range', async () => {
    const marker = unique('ip-mapped');
    await expectAccepted(await fromAddress(marker, '::ffff:10.1.200.7'), marker);
  });

  it('rejects a postback from an address outside the range (192.0.2.1) with 403 and stores the rejection', async () => {
    const marker = unique('ip-outside');
    const row = await expectRejected(await fromAddress(marker, '192.0.2.1'), marker, 403, 'ip_not_allowed');
    expect(row).toMatchObject({ ip: '192.0.2.1', source_slug: source.slug });
  });

  it('rejects an address just outside the /16 (10.2.0.1) with 403', async () => {
    const marker = unique('ip-neighbour');
    await expectRejected(await fromAddress(marker, '10.2.0.1'), marker, 403, 'ip_not_allowed');
  });

  it('ignores X-Forwarded-For when no proxy is trusted: a spoofed allowed address is still 403', async () => {
    const marker = unique('ip-spoofed');
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/${source.slug}?${query({ key: source.secret_key, ...deposit(marker) })}`,
      remoteAddress: '192.0.2.1',
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    await expectRejected(res, marker, 403, 'ip_not_allowed');
  });

  it('checks the key before the address: a wrong key from an allowed address is 401', async () => {
    const marker = unique('ip-wrong-key');
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/${source.slug}?${query({ key: 'wrong', ...deposit(marker) })}`,
      remoteAddress: '10.1.2.3',
    });
    await expectRejected(res, marker, 401, 'bad_key', 'key');
  });
});

// ---------------------------------------------------------------------------------------------

describe('HMAC-signed source', () => {
  let source: SourceRow;
  beforeAll(async () => {
    source = await freshSource('hmac', { authMode: 'hmac' });
  });

  function signedHeaders(
    method: string,
    url: string,
    body: string | null,
    options: { secret?: string; at?: number } = {},
  ): Record<string, string> {
    const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
    const signature = signPayload(
      options.secret ?? source.secret_key,
      signingPayload(timestamp, method, url, body),
    );
    return { 'x-affpanel-timestamp': timestamp, 'x-affpanel-signature': signature };
  }

  it('accepts a GET with a valid signature over timestamp, method and path with query', async () => {
    const marker = unique('hmac-get');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const res = await t.app.inject({ method: 'GET', url, headers: signedHeaders('GET', url, null) });
    const row = await expectAccepted(res, marker);
    expect(row.source_id).toBe(source.id);
  });

  it('accepts a POST with a valid signature over its JSON body', async () => {
    const marker = unique('hmac-post');
    const url = `/postback/${source.slug}`;
    const body = JSON.stringify(deposit(marker));
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...signedHeaders('POST', url, body) },
    });
    const row = await expectAccepted(res, marker);
    expect(row.raw_body).toBe(body);
  });

  it('accepts a signature written as sha256=<hex>', async () => {
    const marker = unique('hmac-prefixed');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', url, null);
    headers['x-affpanel-signature'] = `sha256=${headers['x-affpanel-signature']}`;
    await expectAccepted(await t.app.inject({ method: 'GET', url, headers }), marker);
  });

  it('rejects a tampered query (amount changed after signing) with 401 and stores the rejection', async () => {
    const marker = unique('hmac-tampered');
    const signedUrl = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', signedUrl, null);
    const sentUrl = signedUrl.replace('amount=10', 'amount=1000');
    expect(sentUrl).not.toBe(signedUrl);
    await expectRejected(
      await t.app.inject({ method: 'GET', url: sentUrl, headers }),
      marker,
      401,
      'bad_signature',
    );
  });

  it('rejects a tampered body with 401', async () => {
    const marker = unique('hmac-tampered-body');
    const url = `/postback/${source.slug}`;
    const signed = JSON.stringify(deposit(marker));
    const sent = JSON.stringify({ ...deposit(marker), amount: '1000' });
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload: sent,
      headers: { 'content-type': 'application/json', ...signedHeaders('POST', url, signed) },
    });
    await expectRejected(res, marker, 401, 'bad_signature');
  });

  it('rejects a signature 6 minutes old with 401', async () => {
    const marker = unique('hmac-stale');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', url, null, { at: Date.now() - 6 * 60 * 1000 });
    await expectRejected(await t.app.inject({ method: 'GET', url, headers }), marker, 401, 'bad_signature');
  });

  it('rejects a signature timestamped 6 minutes ahead with 401', async () => {
    const marker = unique('hmac-ahead');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', url, null, { at: Date.now() + 6 * 60 * 1000 });
    await expectRejected(await t.app.inject({ method: 'GET', url, headers }), marker, 401, 'bad_signature');
  });

  it('rejects a postback without the signature headers with 401, even with the key', async () => {
    const marker = unique('hmac-missing');
    const url = `/postback/${source.slug}?${query({ key: source.secret_key, ...deposit(marker) })}`;
    const row = await expectRejected(
      await t.app.inject({ method: 'GET', url }),
      marker,
      401,
      'bad_signature',
    );
    expect(row.raw_query).not.toContain(source.secret_key);
  });

  it('rejects a postback with a timestamp but no signature with 401', async () => {
    const marker = unique('hmac-no-signature');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = { 'x-affpanel-timestamp': String(Math.floor(Date.now() / 1000)) };
    await expectRejected(await t.app.inject({ method: 'GET', url, headers }), marker, 401, 'bad_signature');
  });

  it('rejects a signature made with another secret with 401', async () => {
    const marker = unique('hmac-wrong-secret');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', url, null, { secret: keyOf(t, 'cellxpert') });
    await expectRejected(await t.app.inject({ method: 'GET', url, headers }), marker, 401, 'bad_signature');
  });

  it('accepts a signature made with the previous secret during the grace period, refuses it after', async () => {
    const rotating = await freshSource('hmac-rotate', { authMode: 'hmac' });
    const rotated = await rotateSourceKey(t.ctx.db, rotating.slug, 3600);
    await t.ctx.sources.refresh();
    const during = unique('hmac-grace');
    const duringUrl = `/postback/${rotating.slug}?${query(deposit(during))}`;
    const duringHeaders = signedHeaders('GET', duringUrl, null, { secret: rotating.secret_key });
    await expectAccepted(
      await t.app.inject({ method: 'GET', url: duringUrl, headers: duringHeaders }),
      during,
    );

    await rotateSourceKey(t.ctx.db, rotating.slug, 0);
    await t.ctx.sources.refresh();
    const after = unique('hmac-grace-over');
    const afterUrl = `/postback/${rotating.slug}?${query(deposit(after))}`;
    const afterHeaders = signedHeaders('GET', afterUrl, null, { secret: rotated.secret_key });
    await expectRejected(
      await t.app.inject({ method: 'GET', url: afterUrl, headers: afterHeaders }),
      after,
      401,
      'bad_signature',
    );
  });

  it('rejects a valid signature replayed against another method with 401', async () => {
    const marker = unique('hmac-method');
    const url = `/postback/${source.slug}?${query(deposit(marker))}`;
    const headers = signedHeaders('GET', url, null);
    const res = await t.app.inject({
      method: 'POST',
      url,
      payload: '',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectRejected(res, marker, 401, 'bad_signature');
  });
});
