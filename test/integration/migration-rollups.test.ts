/**
 * Migration 0006 reshapes the rollups of an existing installation (and 0008 adds orphan counts). A database filled under the
 * migrations before it (events with their hourly rollups, the 0003 backfill, and more events still
 * queued for folding) is migrated, the queue folded, and every rollup table must then equal a
 * recount of the events: nothing lost, nothing counted twice.
 */
import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type Db } from '../../src/db/connect.js';
import { unfoldedCount } from '../../src/db/dialect.js';
import { MIGRATIONS } from '../../src/db/migrate.js';
import type { NewEvent } from '../../src/db/schema.js';
import { DerivedRollups } from '../../src/ingest/derived-rollups.js';
import { createTestDatabaseUrl, type TestDatabase, testDatabaseKind } from '../helpers/database-url.js';
import { expectRollupsEqualRecount } from '../helpers/rollup-recount.js';

function migrator(db: Db): Migrator {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(MIGRATIONS))
        out[name] = { up: (k) => mod.up(k, { dialect: db.dialect }) };
      return out;
    },
  };
  return new Migrator({ db: db.kysely, provider });
}

async function migrateTo(db: Db, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error) throw error;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeEvents(firstId: number, count: number, seed: number): NewEvent[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const now = Date.UTC(2026, 10, 26, 12);
  const out: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const type = pick(['CLICK', 'REG', 'FTD', 'DEP', 'REDEP', 'CPA'] as const);
    const occurred = now - Math.floor(rnd() * 75 * 86_400_000);
    const hasAmount = type !== 'CLICK' && type !== 'REG' && rnd() < 0.8;
    const broken = rnd() < 0.1;
    const imported = rnd() < 0.2;
    out.push({
      id,
      received_at: occurred + Math.floor(rnd() * 60_000),
      occurred_at: occurred,
      type,
      raw_event: type.toLowerCase(),
      brand_id: 1 + Math.floor(rnd() * 3),
      source_id: 1 + Math.floor(rnd() * 2),
      affiliate_id: pick([null, 'a1', 'a2', 'a3']),
      sub_id: pick([null, 's1', 's2']),
      external_uid: type === 'REG' || type === 'FTD' ? pick(['p1', 'p2', 'p3', 'p4', null]) : null,
      transaction_id: `tx${id}`,
      tracking_tag: broken ? '{clickid}' : pick([null, 'TAG_A', 'tag_b']),
      traffic_source: null,
      country: pick([null, 'DE', 'ES']),
      amount_micros: hasAmount ? Math.floor(rnd() * 500) * 1_000_000 : null,
      currency: hasAmount ? pick(['EUR', 'USD']) : null,
      is_test: rnd() < 0.2 ? 1 : 0,
      sender: imported ? pick(['ops@example.com', 'bi@example.com']) : null,
      sheet: imported ? pick(['March', 'April']) : null,
      broken_fields: broken ? 'tracking_tag' : null,
      broken_macro: broken ? '{clickid}' : null,
      dedup_key: `k${id}`,
      raw_query: '',
      raw_body: null,
      ip: null,
    });
  }
  return out;
}

/** rollup_hourly as the ingest transaction keeps it: recomputed from every stored event. */
async function recomputeHourly(db: Db): Promise<void> {
  await sql`delete from rollup_hourly`.execute(db.kysely);
  await sql`insert into rollup_hourly (hour_start, brand_id, source_id, affiliate_id, is_test, type, currency,
      event_count, amount_micros, broken_count)
    select (occurred_at / 3600000) * 3600000, brand_id, source_id, coalesce(affiliate_id, ''), is_test, type,
      coalesce(currency, ''), count(*), coalesce(sum(amount_micros), 0),
      sum(case when broken_fields is null then 0 else 1 end)
    from events group by 1, brand_id, source_id, 4, is_test, type, 7`.execute(db.kysely);
}

describe('migrations 0006 (rollup shapes) to 0008 (orphan counts)', () => {
  let database: TestDatabase | null = null;
  let db: Db | null = null;
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('carries every count over from the old rollups, and the queued events fold in once', async () => {
    database = await createTestDatabaseUrl('migration-rollups');
    db = connect(database.url);
    await migrateTo(db, '0002_access');
    for (const part of [makeEvents(1, 300, 7), makeEvents(301, 300, 8)])
      await db.kysely.insertInto('events').values(part).execute();
    await recomputeHourly(db);
    // 0003 backfills the daily, dimension and broken-tag rollups from the events stored so far.
    await migrateTo(db, '0005_bots');

    // Events stored after that, not folded yet: in rollup_hourly and the queue only.
    const queued = makeEvents(601, 150, 9);
    await db.kysely.insertInto('events').values(queued).execute();
    await recomputeHourly(db);
    await db.kysely
      .insertInto('rollup_queue')
      .values(queued.map((e) => ({ event_id: e.id })))
      .execute();

    // 0006 reshapes the rollups; 0008 backfills the orphan counts from orphan_ftds. The folder
    // (today's code) needs every migration, so the queue is folded after the last one.
    const { error } = await migrator(db).migrateToLatest();
    if (error) throw error;
    await new DerivedRollups(db).catchUp();
    await expectRollupsEqualRecount(db);
  });
});

/** Table names in one schema of a SQLite database. */
async function tablesIn(db: Db, schema: 'main' | 'rollups'): Promise<string[]> {
  const rows = await sql<{
    name: string;
  }>`select name from ${sql.raw(schema)}.sqlite_master where type = 'table'`.execute(db.kysely);
  return rows.rows.map((r) => r.name).sort();
}

describe.skipIf(testDatabaseKind() !== 'sqlite')(
  'migration 0009 (the derived rollups in their own file)',
  () => {
    const opened: Array<{ database: TestDatabase; db: Db }> = [];
    afterAll(async () => {
      for (const { database, db } of opened) {
        await db.close();
        await database.drop();
      }
    });

    /** A database at 0008 with 600 folded events and `queued` events after them. */
    async function at0008(name: string, queued: number[]): Promise<Db> {
      const database = await createTestDatabaseUrl(name);
      const db = connect(database.url);
      opened.push({ database, db });
      await migrateTo(db, '0002_access');
      await db.kysely
        .insertInto('events')
        .values(makeEvents(1, 600, 11))
        .execute();
      await recomputeHourly(db);
      await migrateTo(db, '0008_rollup_orphan');
      if (queued.length > 0) {
        await db.kysely
          .insertInto('events')
          .values(makeEvents(601, queued.length, 12))
          .execute();
        await recomputeHourly(db);
        await db.kysely
          .insertInto('rollup_queue')
          .values(queued.map((id) => ({ event_id: id })))
          .execute();
      }
      return db;
    }

    it('moves the derived tables, replaces a copy an interrupted run left, and folds the queued events once', async () => {
      const db = await at0008('migration-0009-moves', [601, 602, 603, 604, 605]);
      // An interrupted earlier run: a copy of rollup_daily in the rollups file, with a wrong count.
      await sql`create table rollups.rollup_daily as select * from main.rollup_daily`.execute(db.kysely);
      await sql`update rollups.rollup_daily set event_count = event_count + 1000`.execute(db.kysely);

      const { error } = await migrator(db).migrateToLatest();
      if (error) throw error;
      expect(await tablesIn(db, 'main')).not.toContain('rollup_daily');
      expect(await tablesIn(db, 'main')).not.toContain('rollup_queue');
      expect(await tablesIn(db, 'main')).toContain('rollup_hourly'); // written by the postback transaction
      expect(await tablesIn(db, 'rollups')).toEqual(
        [
          'fold_state',
          'orphan_ftds',
          'player_regs',
          'rollup_affiliate',
          'rollup_affiliate_dim',
          'rollup_broken',
          'rollup_daily',
          'rollup_hour',
          'rollup_orphan',
          'rollup_source',
          'rollup_value',
        ].sort(),
      );
      // The watermark stands just before the first queued event.
      expect(await unfoldedCount(db.kysely, db.dialect)).toBe(5);
      await new DerivedRollups(db).catchUp();
      expect(await unfoldedCount(db.kysely, db.dialect)).toBe(0);
      await expectRollupsEqualRecount(db);
    });

    it('refuses a queue that is not exactly the newest events, and changes nothing', async () => {
      // 601-603 are stored after the backfill, but only 602 is queued: whether 603 was folded
      // cannot be told, so no watermark is right.
      const db = await at0008('migration-0009-refuses', []);
      await db.kysely
        .insertInto('events')
        .values(makeEvents(601, 3, 13))
        .execute();
      await db.kysely.insertInto('rollup_queue').values({ event_id: 602 }).execute();
      const before = await tablesIn(db, 'main');
      const { error } = await migrator(db).migrateToLatest();
      expect(String(error)).toMatch(/rollup_queue holds 1 events, but 2 events follow the first of them/);
      expect(await tablesIn(db, 'main')).toEqual(before);
      expect(await tablesIn(db, 'rollups')).toEqual([]);
    });
  },
);
