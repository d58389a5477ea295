/**
 * Postbacks on a real socket take the node:http fast path (routes/postback/fast-path.ts); through
 * `app.inject` they take fastify's route. Both must give the same answer to the same request, and
 * what the fast path does not recognise must still reach fastify.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postbackSource } from '../../src/routes/postback/fast-path.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

interface Answer {
  status: number;
  type: string | null;
  body: string;
  retryAfter: string | null;
}

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'HEAD' | 'DELETE';
  /** Built per way in, so the two ways never send the same transaction id. */
  url: (tag: string) => string;
  headers?: Record<string, string>;
  body?: (tag: string) => string;
}

/** An answer with its event id blanked: the two ways in store two different events. */
function comparable(a: Answer): Answer {
  return {
    ...a,
    body: a.body.replace(/"event_id":\d+/, '"event_id":N').replace(/^(accepted|duplicate) \d+/, '$1 N'),
  };
}

describe('the postback fast path', () => {
  let t: TestApp;
  let base: string;
  const bigBody = 'x'.repeat(2048);

  beforeAll(async () => {
    t = await createTestApp('postback-fast-path', { POSTBACK_BODY_LIMIT: '1024', TRUST_PROXY: 'true' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t.close());

  const key = () => keyOf(t, 'cellxpert');
  const ftd = (tag: string, extra: Record<string, string> = {}) =>
    query({
      key: key(),
      event: 'ftd',
      brand: 'fastpath',
      affiliateid: '7',
      userid: `u-${tag}`,
      depositid: `d-${tag}`,
      amount: '12.50',
      currency: 'EUR',
      ...extra,
    });

  const cases: Case[] = [
    { name: 'a valid GET', method: 'GET', url: (tag) => `/postback/cellxpert?${ftd(`ok-${tag}`)}` },
    {
      name: 'a valid GET asking for text',
      method: 'GET',
      url: (tag) => `/postback/cellxpert?${ftd(`text-${tag}`)}`,
      headers: { accept: 'text/plain' },
    },
    {
      name: 'a rejected amount',
      method: 'GET',
      url: (tag) => `/postback/cellxpert?${ftd(`amount-${tag}`, { amount: '12abc' })}`,
    },
    {
      name: 'a rejection asked for as text',
      method: 'GET',
      url: (tag) => `/postback/cellxpert?${ftd(`texterr-${tag}`, { amount: '-1' })}`,
      headers: { accept: 'text/plain' },
    },
    { name: 'a wrong key', method: 'GET', url: (tag) => `/postback/cellxpert?${ftd(tag, { key: 'nope' })}` },
    { name: 'an unknown source', method: 'GET', url: (tag) => `/postback/nosuch?${ftd(tag)}` },
    {
      name: 'a percent-encoded source',
      method: 'GET',
      url: (tag) => `/postback/cell%78pert?${ftd(`pct-${tag}`)}`,
    },
    { name: 'no query string', method: 'GET', url: () => '/postback/cellxpert' },
    {
      name: 'a POST form body',
      method: 'POST',
      url: () => '/postback/cellxpert',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: (tag) => ftd(`form-${tag}`),
    },
    {
      name: 'a POST JSON body with the key in a header',
      method: 'POST',
      url: () => '/postback/cellxpert',
      headers: { 'content-type': 'application/json', 'x-postback-key': 'KEY' },
      body: (tag) =>
        JSON.stringify({
          event: 'reg',
          brand: 'fastpath',
          affiliateid: '7',
          userid: `json-${tag}`,
        }),
    },
    {
      name: 'a body over the limit',
      method: 'POST',
      url: (tag) => `/postback/cellxpert?${ftd(`big-${tag}`)}`,
      headers: { 'content-type': 'text/plain' },
      body: () => bigBody,
    },
    { name: 'PUT (not a postback method)', method: 'PUT', url: (tag) => `/postback/cellxpert?${ftd(tag)}` },
    { name: 'DELETE', method: 'DELETE', url: () => '/postback/cellxpert' },
    { name: 'two path segments', method: 'GET', url: (tag) => `/postback/cellxpert/x?${ftd(tag)}` },
    { name: 'an empty source', method: 'GET', url: (tag) => `/postback/?${ftd(tag)}` },
    {
      name: 'a source longer than the router takes',
      method: 'GET',
      url: () => `/postback/${'a'.repeat(101)}`,
    },
  ];

  async function viaInject(c: Case): Promise<Answer> {
    const headers = { ...c.headers };
    if (headers['x-postback-key'] === 'KEY') headers['x-postback-key'] = key();
    const res = await t.app.inject({
      method: c.method,
      url: c.url('inject'),
      headers,
      payload: c.body?.('inject'),
    });
    const type = res.headers['content-type'];
    return {
      status: res.statusCode,
      type: typeof type === 'string' ? type : null,
      body: res.body,
      retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
    };
  }

  async function viaSocket(c: Case): Promise<Answer> {
    const headers = { ...c.headers };
    if (headers['x-postback-key'] === 'KEY') headers['x-postback-key'] = key();
    const res = await fetch(`${base}${c.url('socket')}`, {
      method: c.method,
      headers,
      body: c.body?.('socket'),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: await res.text(),
      retryAfter: res.headers.get('retry-after'),
    };
  }

  it.each(cases.map((c) => [c.name, c] as const))('answers %s as fastify does', async (_name, c) => {
    const injected = comparable(await viaInject(c));
    const socket = comparable(await viaSocket(c));
    expect(socket).toEqual(injected);
  });

  it('stores what it accepts, with the client address from X-Forwarded-For behind a trusted proxy', async () => {
    const res = await fetch(`${base}/postback/cellxpert?${ftd('xff')}`, {
      headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    });
    const body = (await res.json()) as { status: string; event_id: number };
    expect(res.status).toBe(200);
    expect(body.status).toBe('accepted');
    const row = await t.ctx.db.kysely
      .selectFrom('events')
      .select(['id', 'ip', 'transaction_id', 'amount_micros'])
      .where('id', '=', body.event_id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ip: '203.0.113.9', transaction_id: 'd-xff', amount_micros: 12_500_000 });
  });

  it('keeps the socket settings fastify gives a server it creates (72 s keep-alive, not node 5 s)', () => {
    expect(t.app.server.keepAliveTimeout).toBe(72_000);
    expect(t.app.server.requestTimeout).toBe(0);
  });

  it('answers a repeat as a duplicate with the first event id', async () => {
    const url = `${base}/postback/cellxpert?${ftd('repeat')}`;
    const first = (await (await fetch(url)).json()) as { status: string; event_id: number };
    const second = (await (await fetch(url)).json()) as { status: string; event_id: number };
    expect(first.status).toBe('accepted');
    expect(second).toEqual({ status: 'duplicate', event_id: first.event_id });
  });
});

describe('postbackSource', () => {
  it.each([
    ['/postback/cellxpert?key=k', 'cellxpert'],
    ['/postback/cellxpert', 'cellxpert'],
    ['/postback/cell%78pert?x=1', 'cellxpert'],
  ])('takes %s for source %s', (url, source) => {
    expect(postbackSource(url)).toBe(source);
  });

  it.each([
    '/postback/',
    '/postback/?k=1',
    '/postback/a/b',
    '/postbacks/a',
    '/api/v1/summary',
    '/postback/%E0%A4%A',
  ])('leaves %s to fastify', (url) => {
    expect(postbackSource(url)).toBeNull();
  });
});
