/**
 * What "never lose a postback" means, proven against a real server and database: identical
 * concurrent postbacks store one event; a graceful shutdown under load loses no acknowledged
 * postback; storage made unavailable mid-load is answered 503 with Retry-After and every 200 is
 * in the database.
 */
import type { AddressInfo } from 'node:net';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, sqlitePathFromUrl } from '../../src/db/connect.js';
import { testDatabaseKind } from '../helpers/database-url.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

interface Answer {
  status: number;
  eventId: number | null;
  retryAfter: string | null;
}

async function send(base: string, path: string): Promise<Answer> {
  try {
    const res = await fetch(`${base}${path}`);
    const body = (await res.json().catch(() => ({}))) as { event_id?: number };
    return { status: res.status, eventId: body.event_id ?? null, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, eventId: null, retryAfter: null }; // connection refused or reset
  }
}

async function storedIds(url: string): Promise<Set<number>> {
  const db = connect(url);
  try {
    const rows = await db.kysely.selectFrom('events').select('id').execute();
    return new Set(rows.map((r) => Number(r.id)));
  } finally {
    await db.close();
  }
}

function ftd(t: TestApp, n: number, tag: string): string {
  return `/postback/cellxpert?${query({
    key: keyOf(t, 'cellxpert'),
    event: 'ftd',
    brand: 'durability',
    affiliateid: 7,
    userid: `${tag}-u${n}`,
    depositid: `${tag}-d${n}`,
    amount: '10.00',
    currency: 'EUR',
  })}`;
}

describe('duplicates under concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('dedup-concurrency');
  });
  afterAll(async () => t.close());

  it('stores exactly one event for 60 identical postbacks sent at once and answers all with its id', async () => {
    const url = ftd(t, 1, 'same');
    const answers = await Promise.all(Array.from({ length: 60 }, () => t.app.inject({ method: 'GET', url })));
    const bodies = answers.map((a) => a.json() as { status: string; event_id: number });
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(bodies.filter((b) => b.status === 'accepted')).toHaveLength(1);
    expect(new Set(bodies.map((b) => b.event_id)).size).toBe(1);
    const rows = await t.ctx.db.kysely
      .selectFrom('events')
      .select('id')
      .where('transaction_id', '=', 'same-d1')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('stores one event when identical postbacks straddle several batches', async () => {
    const url = ftd(t, 2, 'spread');
    const answers = [];
    for (let wave = 0; wave < 5; wave++) {
      answers.push(
        ...(await Promise.all(Array.from({ length: 8 }, () => t.app.inject({ method: 'GET', url })))),
      );
    }
    const ids = new Set(answers.map((a) => (a.json() as { event_id: number }).event_id));
    expect(ids.size).toBe(1);
    const rows = await t.ctx.db.kysely
      .selectFrom('events')
      .select('id')
      .where('transaction_id', '=', 'spread-d2')
      .execute();
    expect(rows).toHaveLength(1);
    const rollup = await t.ctx.db.kysely
      .selectFrom('rollup_hourly')
      .innerJoin('brands', 'brands.id', 'rollup_hourly.brand_id')
      .select((eb) => eb.fn.sum<number>('event_count').as('n'))
      .where('brands.slug', '=', 'durability')
      .executeTakeFirst();
    expect(Number(rollup?.n)).toBe(2);
  });
});

describe('graceful shutdown', () => {
  it('loses no acknowledged postback when the server stops under load', async () => {
    const t = await createTestApp('graceful-shutdown');
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      let answered = 0;
      const inFlight = Array.from({ length: 400 }, (_, i) =>
        send(base, ftd(t, i, 'stop')).then((a) => {
          answered++;
          return a;
        }),
      );
      // Stop once some postbacks are answered and the rest are still on their way.
      while (answered < 40) await new Promise((resolve) => setTimeout(resolve, 1));
      await t.stop();
      const answers = await Promise.all(inFlight);
      const acknowledged = answers.filter((a) => a.status === 200);
      expect(acknowledged.length).toBeGreaterThanOrEqual(40);
      expect(answers.some((a) => a.status !== 200)).toBe(true);
      const ids = await storedIds(t.config.databaseUrl);
      for (const a of acknowledged) expect(ids.has(a.eventId ?? -1)).toBe(true);
      // Nothing was stored that was not also acknowledged or still being answered when the socket closed.
      expect(ids.size).toBeGreaterThanOrEqual(acknowledged.length);
      for (const a of answers.filter((x) => x.status !== 200 && x.status !== 0)) expect(a.status).toBe(503);
    } finally {
      await t.close();
    }
  });
});

describe('storage unavailable', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp('storage-outage', { SQLITE_BUSY_TIMEOUT_MS: '300' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t.close());

  /** Makes storage refuse writes until the returned function is called. */
  async function breakStorage(): Promise<() => Promise<void>> {
    if (testDatabaseKind() === 'sqlite') {
      const other = new SqliteDatabase(sqlitePathFromUrl(t.config.databaseUrl));
      other.exec('BEGIN EXCLUSIVE');
      return async () => {
        other.exec('ROLLBACK');
        other.close();
      };
    }
    const dbName = new URL(t.config.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.AFFPANEL_TEST_DB });
    await admin.connect();
    await admin.query(`alter database "${dbName}" with allow_connections false`);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
    return async () => {
      await admin.query(`alter database "${dbName}" with allow_connections true`);
      await admin.end();
    };
  }

  it('answers 503 with Retry-After while storage is down, and every 200 is in the database', async () => {
    const before = await Promise.all(Array.from({ length: 20 }, (_, i) => send(base, ftd(t, i, 'pre'))));
    expect(before.every((a) => a.status === 200)).toBe(true);

    const restore = await breakStorage();
    const during = await Promise.all(Array.from({ length: 30 }, (_, i) => send(base, ftd(t, i, 'down'))));
    const badDuring = await send(base, '/postback/cellxpert?key=wrong&event=ftd');
    await restore();
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => send(base, ftd(t, i, 'post'))));

    const unavailable = during.filter((a) => a.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const a of unavailable) expect(Number(a.retryAfter)).toBeGreaterThan(0);
    for (const a of during) expect([200, 503]).toContain(a.status);
    // A rejection is answered only once it is recorded: during the outage it is a 503 too.
    expect(badDuring.status).toBe(503);
    expect(after.every((a) => a.status === 200)).toBe(true);

    const ids = await storedIds(t.config.databaseUrl);
    for (const a of [...before, ...during, ...after].filter((x) => x.status === 200)) {
      expect(ids.has(a.eventId ?? -1)).toBe(true);
    }
  }, 60_000);
});
