import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, type TestDatabase, testDatabaseKind } from '../helpers/database-url.js';

describe(`createTestDatabaseUrl (${testDatabaseKind()})`, () => {
  const created: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((db) => db.drop()));
  });

  it.runIf(testDatabaseKind() === 'sqlite')('creates a usable SQLite file and drop removes it', async () => {
    const db = await createTestDatabaseUrl('Database URL test!');
    created.push(db);
    expect(db.url).toMatch(/^sqlite:\/.+\/test\.db$/);
    const file = db.url.slice('sqlite:'.length);

    const conn = new Database(file);
    conn.exec('CREATE TABLE t (x INTEGER)');
    conn.prepare('INSERT INTO t (x) VALUES (?)').run(42);
    expect(conn.prepare('SELECT x FROM t').get()).toEqual({ x: 42 });
    conn.close();

    await db.drop();
    expect(existsSync(dirname(file))).toBe(false);
    await db.drop();
  });

  it.runIf(testDatabaseKind() === 'postgres')(
    'creates a separate PostgreSQL database and drop removes it',
    async () => {
      const [a, b] = await Promise.all([
        createTestDatabaseUrl('Database URL test!'),
        createTestDatabaseUrl('other'),
      ]);
      created.push(a, b);
      const name = new URL(a.url).pathname.slice(1);
      expect(name).toMatch(/^affp_database_url_test_[0-9a-f]{8}$/);
      expect(b.url).not.toBe(a.url);

      const client = new pg.Client({ connectionString: a.url });
      await client.connect();
      const { rows } = await client.query<{ one: number; db: string }>(
        'SELECT 1 AS one, current_database() AS db',
      );
      expect(rows).toEqual([{ one: 1, db: name }]);
      // Left open on purpose: drop() must terminate it.
      client.on('error', () => {});

      await a.drop();
      const admin = new pg.Client({ connectionString: process.env.AFFPANEL_TEST_DB });
      await admin.connect();
      try {
        const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        expect(left.rowCount).toBe(0);
      } finally {
        await admin.end();
      }
      await client.end().catch(() => {});
    },
  );
});
