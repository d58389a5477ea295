/**
 * SQLite only: the derived rollups move into their own database file (`<name>.rollups.db`,
 * attached to every connection as `rollups`, see connect.ts), and the fold queue gives way to a
 * watermark.
 *
 * Why: SQLite has one writer per file. Folding the derived rollups took about as much of the
 * writer as storing the postbacks did, and every fold held the postbacks up while it ran. In a
 * second file the folder writes on its own thread while the postback writer commits events.
 *
 * The watermark: on SQLite every event id is handed out as MAX(id) + 1 under the write lock, so
 * ids are committed in order, and the events not folded yet are exactly those above the last one
 * folded. `fold_state.folded_through` lives in the rollups file and commits with the rollups, so
 * after a crash the two always agree. That replaces one queue row per postback (and deleting it
 * again) with nothing. PostgreSQL keeps `rollup_queue`: its sequence hands ids out to concurrent
 * transactions, which commit in any order.
 *
 * SQLite runs migrations without a transaction, and one transaction over two files is not atomic
 * in WAL mode, so each table moves in two steps that can both be repeated: copy it into the
 * rollups file (one transaction there), then drop it from the main file. An interrupted run finds
 * the table still in the main file and copies it again.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/** Every table only the folder writes (and a brand merge, under the folder's lock). */
const MOVED = [
  'rollup_hour',
  'rollup_daily',
  'rollup_source',
  'rollup_value',
  'rollup_affiliate',
  'rollup_affiliate_dim',
  'rollup_broken',
  'rollup_orphan',
  'orphan_ftds',
  'player_regs',
] as const;

const SCHEMA = 'rollups';

/** `CREATE TABLE x (…)` / `CREATE [UNIQUE] INDEX i ON x (…)` as stored, aimed at the rollups file. */
export function inRollupsSchema(ddl: string): string {
  const head = /^(CREATE TABLE|CREATE (?:UNIQUE )?INDEX)\s+(?:"([^"]+)"|(\w+))/i;
  if (!head.test(ddl)) throw new Error(`migration 0009: cannot move this definition: ${ddl.slice(0, 80)}`);
  return ddl.replace(head, (_m, kind, quoted, bare) => `${kind} ${SCHEMA}."${quoted ?? bare}"`);
}

async function moveTable(db: Kysely<unknown>, table: string): Promise<void> {
  const defs = await sql<{ type: string; sql: string | null }>`
    select type, sql from main.sqlite_master where tbl_name = ${table} order by type = 'table' desc`.execute(
    db,
  );
  const create = defs.rows.find((d) => d.type === 'table');
  if (!create?.sql) return; // moved already (or never made: nothing to move)
  await sql`begin immediate`.execute(db);
  try {
    await sql.raw(`drop table if exists ${SCHEMA}."${table}"`).execute(db);
    await sql.raw(inRollupsSchema(create.sql)).execute(db);
    await sql.raw(`insert into ${SCHEMA}."${table}" select * from main."${table}"`).execute(db);
    for (const d of defs.rows)
      if (d.type === 'index' && d.sql) await sql.raw(inRollupsSchema(d.sql)).execute(db);
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
  await sql.raw(`drop table main."${table}"`).execute(db);
}

/**
 * The watermark the queue stands for: the event before the first one queued (every later event is
 * queued too), or the newest event when nothing is queued. Null when the queue is gone already
 * (a repeated run), which keeps the watermark written before.
 */
async function watermarkFromQueue(db: Kysely<unknown>): Promise<number | null> {
  const queue = await sql<{ name: string }>`
    select name from main.sqlite_master where type = 'table' and name = 'rollup_queue'`.execute(db);
  if (queue.rows.length === 0) return null;
  const bounds = await sql<{ queued: number; first: number | null; max_id: number | null }>`
    select (select count(*) from rollup_queue) as queued,
      (select min(event_id) from rollup_queue) as first,
      (select max(id) from events) as max_id`.execute(db);
  const { queued, first, max_id } = bounds.rows[0] ?? { queued: 0, first: null, max_id: null };
  const through = first === null ? Number(max_id ?? 0) : Number(first) - 1;
  const after = await sql<{ n: number }>`select count(*) as n from events where id > ${through}`.execute(db);
  const following = Number(after.rows[0]?.n ?? 0);
  if (following !== Number(queued))
    throw new Error(
      `migration 0009: rollup_queue holds ${queued} events, but ${following} events follow the first of them; ` +
        'it should hold exactly the newest events. Nothing was changed. Start the previous version once so it ' +
        'folds its queue, then migrate again.',
    );
  return through;
}

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'sqlite') return;
  // Checked before anything moves, so a refusal leaves the database as it was.
  const through = await watermarkFromQueue(db);
  for (const table of MOVED) await moveTable(db, table);
  await sql
    .raw(`create table if not exists ${SCHEMA}.fold_state (
      id integer primary key check (id = 1),
      folded_through integer not null)`)
    .execute(db);
  if (through === null) {
    await sql
      .raw(`insert or ignore into ${SCHEMA}.fold_state (id, folded_through) values (1, 0)`)
      .execute(db);
    return;
  }
  // Written before the queue is dropped: an interrupted run computes the same value again.
  await sql
    .raw(
      `insert or replace into ${SCHEMA}.fold_state (id, folded_through) values (1, ${Math.trunc(through)})`,
    )
    .execute(db);
  await sql.raw('drop table main.rollup_queue').execute(db);
}
