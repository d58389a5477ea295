/**
 * The SQLite rollups file (see ROLLUPS_SCHEMA in connect.ts) must belong to its database: its
 * watermark says which events it has counted. A rollups file that is missing, or newer than the
 * database (the two restored from different backups), would leave events uncounted for good, so
 * the server refuses to start on one, and `affpanel rollups rebuild` counts every event again into
 * a new one. The derived rollups hold nothing the events do not: rebuilding loses nothing.
 */
import { sql } from 'kysely';
import { DerivedRollups } from '../ingest/derived-rollups.js';
import { connect, type Db, ROLLUPS_SCHEMA, rollupsPathFor } from './connect.js';
import { migrateToLatest } from './migrate.js';
import { inRollupsSchema } from './migrations/0009_rollups_file.js';

const REBUILD_HINT = 'run "npx affpanel rollups rebuild" to count every event again into a new one';

/** Throws with a clear message when the rollups file cannot be trusted. No-op on PostgreSQL. */
export async function checkRollupsFile(db: Db): Promise<void> {
  if (db.dialect !== 'sqlite' || db.sqlitePath === null) return;
  const file = rollupsPathFor(db.sqlitePath);
  const tables = await sql<{ name: string }>`
    select name from rollups.sqlite_master where type = 'table' and name = 'fold_state'`.execute(db.kysely);
  const state =
    tables.rows.length === 0
      ? undefined
      : (
          await sql<{
            folded_through: number;
          }>`select folded_through from rollups.fold_state where id = 1`.execute(db.kysely)
        ).rows[0];
  if (state === undefined) throw new Error(`the rollups file ${file} is missing or empty: ${REBUILD_HINT}`);
  const newest = await sql<{ max_id: number | null }>`select max(id) as max_id from events`.execute(
    db.kysely,
  );
  const maxId = Number(newest.rows[0]?.max_id ?? 0);
  if (Number(state.folded_through) > maxId)
    throw new Error(
      `the rollups file ${file} has counted events up to id ${state.folded_through}, but the database ends at ` +
        `id ${maxId}: the two files come from different backups. Restore them together, or ${REBUILD_HINT}`,
    );
}

/**
 * Empties the rollups file, creates its tables as the migrations make them (on a scratch database
 * in memory, so there is one definition of them), and folds every event in. Returns how many.
 * The server must not run meanwhile (its folder would write the same file).
 */
export async function rebuildRollupsFile(db: Db): Promise<number> {
  if (db.dialect !== 'sqlite')
    throw new Error('only a SQLite database keeps its rollups in a file of their own');
  const scratch = connect('sqlite::memory:');
  let definitions: Array<{ sql: string }>;
  try {
    await migrateToLatest(scratch);
    const rows = await sql<{ type: string; sql: string | null }>`
      select type, sql from rollups.sqlite_master where sql is not null order by type = 'table' desc`.execute(
      scratch.kysely,
    );
    definitions = rows.rows.flatMap((r) => (r.sql === null ? [] : [{ sql: r.sql }]));
  } finally {
    await scratch.close();
  }
  await db.kysely.transaction().execute(async (trx) => {
    const existing = await sql<{ name: string }>`
      select name from rollups.sqlite_master where type = 'table'`.execute(trx);
    for (const t of existing.rows) await sql.raw(`drop table ${ROLLUPS_SCHEMA}."${t.name}"`).execute(trx);
    for (const d of definitions) await sql.raw(inRollupsSchema(d.sql)).execute(trx);
    await sql`insert into rollups.fold_state (id, folded_through) values (1, 0)`.execute(trx);
  });
  // One run folds every event stored when it starts (no server writes meanwhile).
  return new DerivedRollups(db, 50_000).catchUp();
}
