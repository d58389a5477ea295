/**
 * The live stream (`GET /api/v1/live`) over a real socket: a postback stored after connecting is
 * pushed with the same row shape as /api/v1/events/recent; the events API's filters apply; a
 * reconnect with Last-Event-ID is sent what it missed; bad or missing credentials and bad
 * parameters are refused before any stream starts; one caller's streams are capped with a 503;
 * and closing the server ends open streams instead of waiting for them.
 */
import { get, type IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession } from '../../src/access/sessions.js';
import { EventTail } from '../../src/live/event-tail.js';
import { liveFilterOf, liveQuery } from '../../src/live/live-filter.js';
import { LIVE_DEFAULTS, LiveHub, type LiveSink } from '../../src/live/live-hub.js';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

interface Frame {
  event: string;
  id: string | null;
  data: string;
}

interface Stream {
  status: number;
  headers: IncomingHttpHeaders;
  /** A JSON answer (an error) once it has arrived. */
  body(): unknown;
  /** The next message (not comment) frame, whatever its event name. */
  next(): Promise<Frame>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

let t: TestApp;
let base: string;
let viewer: LoggedIn;
let uid = 0;

/**
 * Opens a stream with node:http on a connection of its own (no pooled sockets), and reads its
 * `text/event-stream` frames; comments and `retry:` lines are skipped.
 */
function openStream(path: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = get(
      `${base}${path}`,
      { headers: { accept: 'text/event-stream', ...headers }, agent: false },
      (res) => {
        const frames: Frame[] = [];
        const waiters: Array<(f: Frame) => void> = [];
        const ended = new Promise<void>((done) => res.once('close', done));
        const push = (f: Frame) => {
          const w = waiters.shift();
          if (w) w(f);
          else frames.push(f);
        };
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const f: Frame = { event: 'message', id: null, data: '' };
            let isMessage = false;
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) {
                f.event = line.slice(7);
                isMessage = true;
              } else if (line.startsWith('id: ')) f.id = line.slice(4);
              else if (line.startsWith('data: ')) {
                f.data += line.slice(6);
                isMessage = true;
              }
            }
            if (isMessage) push(f);
          }
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: () =>
            res.headers['content-type']?.startsWith('application/json') ? JSON.parse(buffer) : null,
          next: () => {
            const f = frames.shift();
            return f ? Promise.resolve(f) : new Promise<Frame>((done) => waiters.push(done));
          },
          ended,
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}

async function nextOf(stream: Stream, event: string): Promise<Frame> {
  for (;;) {
    const f = await stream.next();
    if (f.event === event) return f;
  }
}

interface Row {
  id: number;
  type: string;
  brand: string;
  is_test: boolean;
  tracking_tag: string | null;
}
const rowsOf = (f: Frame) => (JSON.parse(f.data) as { rows: Row[] }).rows;

async function postback(params: Record<string, string | number>): Promise<number> {
  uid++;
  const res = await t.app.inject({
    method: 'GET',
    url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), userid: `live-u${uid}`, depositid: `live-d${uid}`, ...params })}`,
  });
  expect(res.statusCode).toBe(200);
  const rows = await t.ctx.db.kysely
    .selectFrom('events')
    .select('id')
    .where('transaction_id', '=', `live-d${uid}`)
    .execute();
  expect(rows).toHaveLength(1);
  return Number(rows[0]?.id);
}

const session = () => ({ cookie: viewer.cookie });

beforeAll(async () => {
  t = await createTestApp('live');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  viewer = await t.loginAs({ role: 'viewer' });
  await postback({ event: 'reg', brand: 'before' });
});

afterAll(async () => {
  await t.close();
});

describe('GET /api/v1/live', () => {
  it('pushes a postback stored after connecting, shaped like /api/v1/events/recent', async () => {
    const stream = await openStream('/api/v1/live', session());
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toContain('no-cache');
    const ready = await nextOf(stream, 'ready');
    const maxId = await t.ctx.db.kysely
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('m'))
      .executeTakeFirstOrThrow();
    expect(Number(ready.id)).toBe(Number(maxId.m));

    const id = await postback({ event: 'ftd', brand: 'live-alpha', amount: '12.5', currency: 'EUR' });
    const frame = await nextOf(stream, 'events');
    expect(Number(frame.id)).toBeGreaterThanOrEqual(id);
    const rows = rowsOf(frame);
    expect(rows.map((r) => r.id)).toEqual([id]);

    const recent = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/recent?brand=live-alpha',
      headers: session(),
    });
    expect(rows[0]).toEqual(recent.json().rows[0]);
    stream.close();
  });

  it('sends only what the brand, type, test and tag filters match', async () => {
    const stream = await openStream(
      `/api/v1/live?${query({ brand: 'live-beta', type: 'REG,CPA', test: 'production', tag: 'wa_fr' })}`,
      session(),
    );
    await nextOf(stream, 'ready');
    await postback({ event: 'reg', brand: 'live-gamma', trackingcode: 'WA_FR_1' }); // other brand
    await postback({ event: 'ftd', brand: 'live-beta', trackingcode: 'WA_FR_2' }); // other type
    await postback({ event: 'reg', brand: 'live-beta', trackingcode: 'WA_FR_3', test: 1 }); // test event
    await postback({ event: 'reg', brand: 'live-beta', trackingcode: 'OTHER' }); // other tag
    const wanted = await postback({ event: 'reg', brand: 'live-beta', trackingcode: 'xx_WA_FR_4' });
    const seen: number[] = [];
    while (!seen.includes(wanted)) seen.push(...rowsOf(await nextOf(stream, 'events')).map((r) => r.id));
    expect(seen).toEqual([wanted]);
    stream.close();
  });

  it('sends a reconnecting client what it missed after its Last-Event-ID', async () => {
    const first = await openStream('/api/v1/live?brand=live-delta', session());
    const ready = await nextOf(first, 'ready');
    first.close();
    await first.ended;
    const a = await postback({ event: 'reg', brand: 'live-delta' });
    await postback({ event: 'reg', brand: 'live-other' });
    const b = await postback({ event: 'ftd', brand: 'live-delta' });

    const again = await openStream('/api/v1/live?brand=live-delta', {
      ...session(),
      'last-event-id': String(ready.id),
    });
    const missed: number[] = [];
    for (;;) {
      const f = await again.next();
      if (f.event === 'events') missed.push(...rowsOf(f).map((r) => r.id));
      if (f.event === 'ready') break;
    }
    // What the hub had not yet read when the client came back arrives as a normal push instead.
    while (!missed.includes(b)) missed.push(...rowsOf(await nextOf(again, 'events')).map((r) => r.id));
    expect(missed).toEqual([a, b]);
    again.close();
  });

  it('tells a client that joins only about what is stored after it joined, however old the last poll', async () => {
    const watcher = await openStream('/api/v1/live?brand=live-epsilon', session());
    await nextOf(watcher, 'ready'); // the hub now reads new events about once a second
    // Stored a moment before the next client joins, almost surely before the hub's next read.
    const before = await postback({ event: 'reg', brand: 'live-epsilon' });
    const joiner = await openStream('/api/v1/live?brand=live-epsilon', session());
    const ready = await nextOf(joiner, 'ready');
    expect(Number(ready.id)).toBeGreaterThanOrEqual(before);
    const after = await postback({ event: 'ftd', brand: 'live-epsilon' });
    expect(rowsOf(await nextOf(joiner, 'events')).map((r) => r.id)).toEqual([after]);
    // The client that was there gets both, as before.
    const seen: number[] = [];
    while (!seen.includes(after)) seen.push(...rowsOf(await nextOf(watcher, 'events')).map((r) => r.id));
    expect(seen).toEqual([before, after]);
    watcher.close();
    joiner.close();
  });

  it('accepts an API token and refuses a missing or bad credential with 401', async () => {
    const token = await openStream('/api/v1/live', { authorization: `Bearer ${t.apiToken}` });
    expect(token.status).toBe(200);
    await nextOf(token, 'ready');
    token.close();

    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/live' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/live',
      headers: { authorization: 'Bearer afp_nope' },
    });
    expect(bad.statusCode).toBe(401);
    const pending = await t.loginAs({ status: 'pending' });
    const refused = await t.app.inject({
      method: 'GET',
      url: '/api/v1/live',
      headers: { cookie: pending.cookie },
    });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses a bad filter, or a request that does not ask for an event stream, with 400 naming the field', async () => {
    const stream = { ...session(), accept: 'text/event-stream' };
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/live?type=BOGUS', headers: stream });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('type.0');
    const plain = await t.app.inject({ method: 'GET', url: '/api/v1/live', headers: session() });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error).toMatchObject({ code: 'bad_request', field: 'accept' });
    const head = await t.app.inject({ method: 'HEAD', url: '/api/v1/live', headers: stream });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('caps the streams one person holds with 503 and Retry-After', async () => {
    const person = await t.loginAs({ role: 'viewer' });
    const open: Stream[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await openStream('/api/v1/live', { cookie: person.cookie });
      expect(s.status).toBe(200);
      await nextOf(s, 'ready');
      open.push(s);
    }
    const refused = await openStream('/api/v1/live', { cookie: person.cookie });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    await refused.ended;
    expect(refused.body()).toMatchObject({ error: { code: 'unavailable' } });
    // Someone else is not affected, and a closed tab frees its place.
    const other = await openStream('/api/v1/live', session());
    expect(other.status).toBe(200);
    other.close();
    const closing = open.pop();
    closing?.close();
    await closing?.ended;
    let reopened: Stream | null = null;
    while (reopened === null) {
      const s = await openStream('/api/v1/live', { cookie: person.cookie });
      if (s.status === 200) reopened = s;
    }
    open.push(reopened);
    for (const s of open) s.close();
  });

  it('reads ids committed out of order (PostgreSQL sequences) and tells readers to resync after a burst', async () => {
    const tail = new EventTail(t.ctx.db, 3);
    const start = await tail.start();
    const template = await t.ctx.db.kysely
      .selectFrom('events')
      .selectAll()
      .where('id', '=', start)
      .executeTakeFirstOrThrow();
    const insert = (id: number) =>
      t.ctx.db.kysely
        .insertInto('events')
        .values({ ...template, id, dedup_key: `live-gap-${id}` })
        .execute();
    // Another instance's batch took start+1 but commits after this one's start+2.
    await insert(start + 2);
    expect((await tail.next()).rows.map((r) => r.id)).toEqual([start + 2]);
    await insert(start + 1);
    const late = await tail.next();
    expect(late.rows.map((r) => r.id)).toEqual([start + 1]);
    expect(late.cursor).toBe(start + 2);
    expect((await tail.next()).rows).toEqual([]);

    for (let i = 3; i <= 6; i++) await insert(start + i);
    const burst = await tail.next();
    expect(burst).toMatchObject({ rows: [], overflow: true, cursor: start + 6 });
    // Ids inserted by hand: move PostgreSQL's sequence past them so later postbacks do not collide.
    if (t.ctx.db.dialect === 'postgres')
      await sql`select setval('events_id_seq', (select max(id) from events))`.execute(t.ctx.db.kysely);
  });

  it('ends a stream whose session was logged out, drops a client that stops reading, caps the process', async () => {
    const quiet = { warn: () => {} };
    const hub = new LiveHub(t.ctx.db, quiet, {
      ...LIVE_DEFAULTS,
      heartbeatMs: 20,
      revalidateMs: 0,
      maxClients: 3,
      maxBufferedBytes: 100,
    });
    const sink = (buffered = 0) => {
      const frames: string[] = [];
      let ended = false;
      const s: LiveSink & { frames: string[]; ended: () => boolean } = {
        frames,
        ended: () => ended,
        write: (f) => frames.push(f),
        buffered: () => buffered,
        end: () => {
          ended = true;
        },
      };
      return s;
    };
    const filter = liveFilterOf(liveQuery.parse({}));
    const person = await t.loginAs({ role: 'viewer' });
    const loggedIn = sink();
    const a = hub.admit({
      caller: 'user:a',
      filter,
      sink: loggedIn,
      stillAllowed: async () =>
        (
          await t.ctx.db.kysely
            .selectFrom('sessions')
            .select('user_id')
            .where('user_id', '=', person.userId)
            .execute()
        ).length > 0,
    });
    const slow = sink(1_000);
    const b = hub.admit({ caller: 'user:b', filter, sink: slow, stillAllowed: async () => true });
    const steady = sink();
    const c = hub.admit({ caller: 'user:c', filter, sink: steady, stillAllowed: async () => true });
    expect(() =>
      hub.admit({ caller: 'user:d', filter, sink: sink(), stillAllowed: async () => true }),
    ).toThrow(/too many live streams/);
    await Promise.all([hub.start(a, null), hub.start(b, null), hub.start(c, null)]);
    expect(loggedIn.frames.some((f) => f.startsWith('event: ready'))).toBe(true);
    // The slow client is dropped at its first frame beyond the limit.
    expect(slow.ended()).toBe(true);

    await endSession(t.ctx.db, person.cookie.split('=')[1] ?? '');
    while (!loggedIn.ended()) await new Promise((r) => setTimeout(r, 10));
    expect(steady.ended()).toBe(false);
    expect(steady.frames).toContain(': ping\n\n');
    expect(hub.size).toBe(1);
    hub.close();
    expect(steady.ended()).toBe(true);
    expect(hub.size).toBe(0);
  });

  it('ends open streams when the server closes, without waiting for them', async () => {
    const stream = await openStream('/api/v1/live', session());
    await nextOf(stream, 'ready');
    await t.stop();
    await stream.ended;
    await expect(openStream('/api/v1/live', session())).rejects.toThrow(/ECONNREFUSED/);
  });
});
