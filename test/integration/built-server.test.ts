/**
 * The built server (`node dist/main.js`, as `npm start` runs it) as a process: with SQLite its
 * writes run on the writer thread. Proves that every acknowledged postback is stored after a
 * graceful stop and after a SIGKILL in the middle of the load, and that the derived rollups'
 * queue left by the killed process is folded in after a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { unfoldedCount } from '../../src/db/dialect.js';
import { createTestDatabaseUrl, type TestDatabase } from '../helpers/database-url.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  base: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

async function startServer(databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      INGEST_WRITER: 'thread',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { child, base, stdout: () => out, exited };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`the built server did not become ready:\n${out}`);
}

/** Sends `count` postbacks, at most `concurrency` at a time (all at once by default). */
async function postbacks(
  base: string,
  key: string,
  tag: string,
  count: number,
  onAccepted: () => void = () => {},
  concurrency = count,
) {
  const answers: Array<{ status: number; id: number | null }> = new Array(count);
  let next = 0;
  const send = async (i: number) => {
    const url = `${base}/postback/cellxpert?key=${key}&event=ftd&brand=built&affiliateid=3&userid=${tag}u${i}&depositid=${tag}d${i}&amount=5&currency=EUR`;
    try {
      const res = await fetch(url);
      const body = (await res.json()) as { event_id?: number };
      if (res.status === 200) onAccepted();
      return { status: res.status, id: body.event_id ?? null };
    } catch {
      return { status: 0, id: null };
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) answers[i] = await send(i);
    }),
  );
  return answers;
}

describe('the built server', () => {
  let database: TestDatabase;
  let key = '';

  beforeAll(async () => {
    if (!existsSync(MAIN))
      throw new Error('dist/main.js is missing: run `npm run build` first (npm test does)');
    database = await createTestDatabaseUrl('built-server');
  });
  afterAll(async () => database?.drop());

  it('stores every acknowledged postback and stops cleanly on SIGTERM', async () => {
    const server = await startServer(database.url);
    key = /\/postback\/cellxpert\?key=(\S+)/.exec(server.stdout())?.[1] ?? '';
    expect(key).not.toBe('');
    const answers = await postbacks(server.base, key, 'term', 300);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const db = connect(database.url);
    try {
      const rows = await db.kysely.selectFrom('events').select('id').execute();
      const ids = new Set(rows.map((r) => Number(r.id)));
      for (const a of answers) expect(ids.has(a.id ?? -1)).toBe(true);
      expect(await unfoldedCount(db.kysely, db.dialect)).toBe(0); // a graceful stop folds the derived rollups in
    } finally {
      await db.close();
    }
  }, 60_000);

  it('keeps every acknowledged postback through a SIGKILL under load, and folds its queue after a restart', async () => {
    const server = await startServer(database.url);
    // Kill once some answers have come back, while others are in flight and more are still to
    // be sent (32 at a time): a fast server could otherwise answer all of them before it dies.
    let accepted = 0;
    const answered = await postbacks(
      server.base,
      key,
      'kill',
      400,
      () => {
        accepted++;
        if (accepted === 40) server.child.kill('SIGKILL');
      },
      32,
    );
    server.child.kill('SIGKILL');
    await server.exited;

    const acknowledged = answered.filter((a) => a.status === 200);
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    expect(answered.some((a) => a.status !== 200)).toBe(true);
    const restarted = await startServer(database.url);
    try {
      const db = connect(database.url);
      try {
        const rows = await db.kysely.selectFrom('events').select('id').execute();
        const ids = new Set(rows.map((r) => Number(r.id)));
        for (const a of acknowledged) expect(ids.has(a.id ?? -1)).toBe(true);
        // The restarted server's folder empties what the killed one left queued.
        let queued = -1;
        for (let i = 0; i < 100 && queued !== 0; i++) {
          await new Promise((r) => setTimeout(r, 100));
          queued = await unfoldedCount(db.kysely, db.dialect);
        }
        expect(queued).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  }, 60_000);
});
