/**
 * On SQLite the derived rollups live in their own file, so folding them and storing postbacks
 * never wait for each other's write lock. Here another connection holds the rollups file's write
 * lock (as a long fold would): postbacks are still answered at once and stored, the fold waits,
 * and once the lock is gone the fold catches up to a recount of every event. A rollups file that
 * does not belong to its database (missing, or from another backup) stops the server from
 * starting, and `affpanel rollups rebuild` counts the events again.
 */
import { rm } from 'node:fs/promises';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { BufferedOutput } from '../../src/cli/output.js';
import { parseConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { rollupsPathFor, sqlitePathFromUrl } from '../../src/db/connect.js';
import { unfoldedCount } from '../../src/db/dialect.js';
import { buildServer } from '../../src/server.js';
import { seedBuiltInSources } from '../../src/sources/source-service.js';
import { createTestDatabaseUrl, type TestDatabase, testDatabaseKind } from '../helpers/database-url.js';
import { expectRollupsEqualRecount } from '../helpers/rollup-recount.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

describe.skipIf(testDatabaseKind() !== 'sqlite')('the derived rollups in their own SQLite file', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A short busy timeout: a postback that waited for the rollups file would fail within it.
    t = await createTestApp('rollups-file', { SQLITE_BUSY_TIMEOUT_MS: '300' });
  });
  afterAll(async () => t.close());

  const post = (i: number) =>
    t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), event: 'ftd', brand: 'split', affiliateid: '7', userid: `s-${i}`, depositid: `sd-${i}`, amount: '25.00', currency: 'EUR' })}`,
    });

  it('stores postbacks while a fold holds the rollups file, and folds them once it is free', async () => {
    expect((await post(0)).statusCode).toBe(200);
    await t.ctx.derived.catchUp();

    const path = sqlitePathFromUrl(t.config.databaseUrl);
    const holder = new SqliteDatabase(rollupsPathFor(path));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const answers = await Promise.all([1, 2, 3, 4, 5].map(post));
      for (const a of answers) {
        expect(a.statusCode, a.body).toBe(200);
        expect(a.json().status).toBe('accepted');
      }
      // Stored and counted in the hourly rollup (main file), not folded yet.
      expect(await unfoldedCount(t.ctx.db.kysely, t.ctx.db.dialect)).toBe(5);
      // The fold itself cannot take its file meanwhile.
      await expect(t.ctx.derived.catchUp()).rejects.toThrow(/locked|busy/i);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }

    await t.ctx.derived.catchUp();
    expect(await unfoldedCount(t.ctx.db.kysely, t.ctx.db.dialect)).toBe(0);
    await expectRollupsEqualRecount(t.ctx.db);
  });
});

describe.skipIf(testDatabaseKind() !== 'sqlite')(
  'a rollups file that does not belong to its database',
  () => {
    let database: TestDatabase;
    afterAll(async () => database?.drop());

    it('stops the server from starting, and `affpanel rollups rebuild` counts every event again', async () => {
      database = await createTestDatabaseUrl('rollups-rebuild');
      const config = parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', INGEST_FLUSH_MS: '2' });
      const ctx = await createContext(config);
      try {
        const app = await buildServer(ctx, { logger: false });
        const cellxpert = (await seedBuiltInSources(ctx.db)).find((s) => s.slug === 'cellxpert');
        if (!cellxpert) throw new Error('no cellxpert source');
        await ctx.sources.refresh();
        for (const [i, event] of ['reg', 'ftd', 'dep', 'ftd', 'cpa'].entries()) {
          const res = await app.inject({
            method: 'GET',
            url: `/postback/cellxpert?${query({ key: cellxpert.secret_key, event, brand: i % 2 ? 'odd' : 'even', affiliateid: '3', userid: `r-${i}`, depositid: `rd-${i}`, amount: '10.00', currency: 'EUR' })}`,
          });
          expect(res.statusCode, res.body).toBe(200);
        }
        await ctx.derived.catchUp();
        await app.close();
      } finally {
        await ctx.close();
      }
      const rollups = rollupsPathFor(sqlitePathFromUrl(config.databaseUrl));

      // From a later backup than the database: it claims events the database does not have.
      const file = new SqliteDatabase(rollups);
      file.exec('update fold_state set folded_through = folded_through + 100');
      file.close();
      await expect(createContext(config)).rejects.toThrow(
        /has counted events up to id 105, but the database ends at id 5: the two files come from different backups/,
      );

      // Gone altogether.
      for (const suffix of ['', '-wal', '-shm']) await rm(`${rollups}${suffix}`, { force: true });
      await expect(createContext(config)).rejects.toThrow(
        /is missing or empty: run "npx affpanel rollups rebuild"/,
      );

      const output = new BufferedOutput();
      expect(await runCli(['rollups', 'rebuild'], output, () => config)).toBe(0);
      expect(output.text).toMatch(/^Rebuilt the rollups from 5 events in \d+\.\d s\.$/);
      const again = await createContext(config);
      try {
        expect(await unfoldedCount(again.db.kysely, again.db.dialect)).toBe(0);
        await expectRollupsEqualRecount(again.db);
      } finally {
        await again.close();
      }
    });
  },
);
