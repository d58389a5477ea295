/**
 * The few places where SQLite and PostgreSQL truly differ, each behind a small function.
 * Queries elsewhere are written once against Kysely.
 */
import { CompiledQuery, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Db, DialectName } from './connect.js';
import type { Database } from './schema.js';

/**
 * Reserves `count` consecutive-or-not event ids. Must run inside the write transaction: on SQLite
 * the transaction holds the file's write lock, so MAX(id) cannot race another writer process; on
 * PostgreSQL a sequence hands out ids to any number of instances.
 */
export async function allocateEventIds(
  trx: Kysely<Database>,
  dialect: DialectName,
  count: number,
): Promise<number[]> {
  if (count === 0) return [];
  if (dialect === 'sqlite') {
    const row = await trx
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('max_id'))
      .executeTakeFirst();
    const start = Number(row?.max_id ?? 0) + 1;
    return Array.from({ length: count }, (_, i) => start + i);
  }
  const result = await sql<{
    id: number;
  }>`select nextval('events_id_seq') as id from generate_series(1, ${count})`.execute(trx);
  return result.rows.map((r) => Number(r.id));
}

/** Takes the write lock at the start of a transaction on SQLite (BEGIN IMMEDIATE semantics). */
export async function lockForWrite(trx: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    // A no-op write makes SQLite take the RESERVED lock now, before MAX(id) is read.
    await sql`update settings set key = key where 0`.execute(trx);
  }
}

/** How a counter table's column is merged when a row with the same key already exists. */
export interface CounterTable {
  table: string;
  /** Key columns (the conflict target), then value columns, in the order rows give them. */
  columns: ReadonlyArray<{ name: string; kind: 'int' | 'text'; merge: 'key' | 'add' | 'max' | 'min' }>;
}

/**
 * Where bulk writes go: the dialect and, on SQLite, the connection's own handle (see `Db.sqlite`).
 * It must be the Db whose Kysely opened the transaction the write runs in.
 */
export type WriteTarget = Pick<Db, 'dialect' | 'sqlite'>;

type Cell = string | number | null;

/**
 * Runs one statement per row on SQLite, with the handle the transaction runs on: a prepared
 * statement reused row after row costs half of reading the rows out of one JSON parameter.
 */
function eachRow(
  sqlite: NonNullable<Db['sqlite']>,
  text: string,
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
  returning: boolean,
): Array<Record<string, unknown>> {
  const statement = sqlite.prepare(text);
  const out: Array<Record<string, unknown>> = [];
  if (!returning) {
    for (const row of rows) statement.run(row);
    return out;
  }
  for (const row of rows) {
    const returned = statement.get(row) as Record<string, unknown> | undefined;
    if (returned) out.push(returned);
  }
  return out;
}

/** The rows of a bulk statement on PostgreSQL: one JSON array parameter, read back column by column. */
function jsonRows(columns: ReadonlyArray<{ name: string; kind: 'int' | 'text' }>): string {
  const picks = columns
    .map((c, i) => (c.kind === 'int' ? `(value ->> ${i})::bigint` : `(value ->> ${i})`))
    .join(', ');
  return `select ${picks} from jsonb_array_elements($1::jsonb) as x(value)`;
}

/**
 * Adds rows to a counter table: new keys are inserted, existing ones get their counters added (or
 * kept at the max/min). On PostgreSQL the rows travel as one JSON parameter per 5,000 (one bound
 * value and one round trip instead of one per cell or row); on SQLite, where there is no round
 * trip, one prepared statement runs per row. Table and column names come from code only.
 * Rows must have distinct keys (one statement may not touch a row twice).
 */
export async function upsertCounters(
  trx: Kysely<Database>,
  target: WriteTarget,
  spec: CounterTable,
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): Promise<void> {
  if (rows.length === 0) return;
  const cols = spec.columns;
  const names = cols.map((c) => c.name).join(', ');
  const keys = cols
    .filter((c) => c.merge === 'key')
    .map((c) => c.name)
    .join(', ');
  const sqlite = target.dialect === 'sqlite';
  const least = sqlite ? 'min' : 'least';
  const greatest = sqlite ? 'max' : 'greatest';
  const sets = cols
    .filter((c) => c.merge !== 'key')
    .map((c) => {
      const cur = `${spec.table}.${c.name}`;
      const inc = `excluded.${c.name}`;
      if (c.merge === 'add') return `${c.name} = ${cur} + ${inc}`;
      return `${c.name} = ${c.merge === 'max' ? greatest : least}(${cur}, ${inc})`;
    })
    .join(', ');
  const conflict = `on conflict (${keys}) do update set ${sets}`;
  if (target.sqlite) {
    const values = cols.map(() => '?').join(', ');
    eachRow(
      target.sqlite,
      `insert into ${spec.table} (${names}) values (${values}) ${conflict}`,
      rows,
      false,
    );
    return;
  }
  const text = `insert into ${spec.table} (${names}) ${jsonRows(cols)} ${conflict}`;
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    await trx.executeQuery(CompiledQuery.raw(text, [json]));
  }
}

/**
 * Inserts many rows with a statement whose text never changes, so it is prepared once and no query
 * builder runs per batch: on PostgreSQL the rows travel as one JSON parameter per 2,000 (read with
 * jsonb_array_elements as in upsertCounters), on SQLite one prepared statement runs per row. Rows
 * colliding with `conflict`'s unique index are skipped; the `returning` column of each inserted
 * row is returned (none without it). Table and column names come from code only.
 */
export async function insertRows(
  trx: Kysely<Database>,
  target: WriteTarget,
  spec: {
    table: string;
    columns: ReadonlyArray<{ name: string; kind: 'int' | 'text' }>;
    conflict?: { columns: readonly string[]; where: string };
    returning?: string;
  },
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const names = spec.columns.map((c) => c.name).join(', ');
  const conflict = spec.conflict
    ? ` on conflict (${spec.conflict.columns.join(', ')}) where ${spec.conflict.where} do nothing`
    : '';
  const returning = spec.returning ? ` returning ${spec.returning}` : '';
  if (target.sqlite) {
    const values = spec.columns.map(() => '?').join(', ');
    const text = `insert into ${spec.table} (${names}) values (${values})${conflict}${returning}`;
    return eachRow(target.sqlite, text, rows, spec.returning !== undefined);
  }
  const text = `insert into ${spec.table} (${names}) ${jsonRows(spec.columns)}${conflict}${returning}`;
  const out: Array<Record<string, unknown>> = [];
  const CHUNK = 2000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    const result = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [json]));
    out.push(...result.rows);
  }
  return out;
}

/**
 * Serialises transactions that check-then-write one invariant (e.g. "one active admin remains").
 * PostgreSQL: a transaction-scoped advisory lock on the name; SQLite: the file's write lock.
 */
export async function lockInvariant(
  trx: Kysely<Database>,
  dialect: DialectName,
  name: string,
): Promise<void> {
  if (dialect === 'sqlite') {
    await lockForWrite(trx, dialect);
    return;
  }
  await sql`select pg_advisory_xact_lock(hashtext(${`affpanel:${name}`}))`.execute(trx);
}

/**
 * The folder's lock: one fold (or brand merge, which moves folded rows) at a time, across
 * processes. PostgreSQL: an advisory lock. SQLite: the write lock of the rollups file only (see
 * ROLLUPS_SCHEMA), so folding never holds up the postback writer, which commits into the main
 * file. Taken first in the transaction, before it reads anything from that file, so the fold's
 * view of the rollups cannot be older than what it then writes.
 */
export async function lockFolder(trx: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`update rollups.fold_state set folded_through = folded_through where 0`.execute(trx);
    return;
  }
  await lockInvariant(trx, dialect, 'derived-rollups');
}

/**
 * The events not folded into the derived rollups yet, up to `maxId`, oldest first, at most `limit`.
 * SQLite: every event above the watermark (ids are committed in order under the write lock).
 * PostgreSQL: the ids the ingest transaction queued in `rollup_queue` (its sequence hands ids to
 * concurrent transactions, which may commit out of order). Must run after `lockFolder`.
 */
export function unfoldedEvents(
  trx: Kysely<Database>,
  dialect: DialectName,
  maxId: number,
  limit: number,
): SelectQueryBuilder<Database, 'events', object> {
  if (dialect === 'sqlite')
    return trx
      .selectFrom('events')
      .where(sql<boolean>`events.id > (select folded_through from rollups.fold_state where id = 1)`)
      .where('events.id', '<=', maxId)
      .orderBy('events.id')
      .limit(limit);
  return trx
    .selectFrom('events')
    .where(
      'events.id',
      'in',
      trx
        .selectFrom('rollup_queue')
        .select('rollup_queue.event_id')
        .where('rollup_queue.event_id', '<=', maxId)
        .orderBy('rollup_queue.event_id')
        .limit(limit),
    )
    .orderBy('events.id');
}

/** The newest event id the folder has to reach: everything stored up to now. Null when nothing is. */
export async function foldBound(db: Kysely<Database>, dialect: DialectName): Promise<number | null> {
  const row =
    dialect === 'sqlite'
      ? await db
          .selectFrom('events')
          .select((eb) => eb.fn.max('id').as('max_id'))
          .where(sql<boolean>`events.id > (select folded_through from rollups.fold_state where id = 1)`)
          .executeTakeFirst()
      : await db
          .selectFrom('rollup_queue')
          .select((eb) => eb.fn.max('event_id').as('max_id'))
          .executeTakeFirst();
  return row?.max_id === null || row?.max_id === undefined ? null : Number(row.max_id);
}

/** Marks events up to `lastId` folded, in the fold's transaction. */
export async function markFolded(trx: Kysely<Database>, dialect: DialectName, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  if (dialect === 'sqlite') {
    await sql`update rollups.fold_state set folded_through = ${Math.max(...ids)} where id = 1`.execute(trx);
    return;
  }
  for (let i = 0; i < ids.length; i += 500)
    await trx
      .deleteFrom('rollup_queue')
      .where('event_id', 'in', ids.slice(i, i + 500))
      .execute();
}

/** How many stored events the derived rollups do not include yet (diagnostics, tests). */
export async function unfoldedCount(db: Kysely<Database>, dialect: DialectName): Promise<number> {
  const row =
    dialect === 'sqlite'
      ? await db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(sql<boolean>`events.id > (select folded_through from rollups.fold_state where id = 1)`)
          .executeTakeFirst()
      : await db
          .selectFrom('rollup_queue')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Makes a SELECT claim its rows for this worker. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so rows
 * another instance is claiming right now are passed over instead of waited for (or taken twice).
 * SQLite: unchanged; the claiming transaction starts with `lockForWrite`, which already makes it
 * the only writer.
 */
export function claimRows<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  dialect: DialectName,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}
