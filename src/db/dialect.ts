/**
 * The few places where SQLite and PostgreSQL truly differ, each behind a small function.
 * Queries elsewhere are written once against Kysely.
 */
import { CompiledQuery, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { DialectName } from './connect.js';
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
 * Adds rows to a counter table in one statement per chunk: new keys are inserted, existing ones
 * get their counters added (or kept at the max/min). The rows travel as one JSON parameter, so a
 * batch of thousands costs one bound value instead of one per cell: SQLite reads it with
 * json_each, PostgreSQL with jsonb_array_elements. Table and column names come from code only.
 * Rows must have distinct keys (one statement may not touch a row twice).
 */
export async function upsertCounters(
  trx: Kysely<Database>,
  dialect: DialectName,
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
  const least = dialect === 'sqlite' ? 'min' : 'least';
  const greatest = dialect === 'sqlite' ? 'max' : 'greatest';
  const sets = cols
    .filter((c) => c.merge !== 'key')
    .map((c) => {
      const cur = `${spec.table}.${c.name}`;
      const inc = `excluded.${c.name}`;
      if (c.merge === 'add') return `${c.name} = ${cur} + ${inc}`;
      return `${c.name} = ${c.merge === 'max' ? greatest : least}(${cur}, ${inc})`;
    })
    .join(', ');
  const picks = cols
    .map((c, i) =>
      dialect === 'sqlite'
        ? `value ->> ${i}`
        : c.kind === 'int'
          ? `(value ->> ${i})::bigint`
          : `(value ->> ${i})`,
    )
    .join(', ');
  const from =
    dialect === 'sqlite' ? 'json_each(?) where true' : 'jsonb_array_elements($1::jsonb) as x(value)';
  const text = `insert into ${spec.table} (${names}) select ${picks} from ${from} on conflict (${keys}) do update set ${sets}`;
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    await trx.executeQuery(CompiledQuery.raw(text, [json]));
  }
}

/**
 * Inserts many rows in one statement whose text never changes (the rows travel as one JSON
 * parameter, read with json_each / jsonb_array_elements as in upsertCounters), so the statement
 * is prepared once and no query builder runs per batch. Rows colliding with `conflict`'s unique
 * index are skipped; the `returning` column of each inserted row is returned (none without it). Table and column
 * names come from code only.
 */
export async function insertJsonRows(
  trx: Kysely<Database>,
  dialect: DialectName,
  spec: {
    table: string;
    columns: ReadonlyArray<{ name: string; kind: 'int' | 'text' }>;
    conflict?: { columns: readonly string[]; where: string };
    returning?: string;
  },
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>,
): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return [];
  const names = spec.columns.map((c) => c.name).join(', ');
  const picks = spec.columns
    .map((c, i) =>
      dialect === 'sqlite'
        ? `value ->> ${i}`
        : c.kind === 'int'
          ? `(value ->> ${i})::bigint`
          : `(value ->> ${i})`,
    )
    .join(', ');
  const from =
    dialect === 'sqlite' ? 'json_each(?) where true' : 'jsonb_array_elements($1::jsonb) as x(value)';
  const conflict = spec.conflict
    ? ` on conflict (${spec.conflict.columns.join(', ')}) where ${spec.conflict.where} do nothing`
    : '';
  const returning = spec.returning ? ` returning ${spec.returning}` : '';
  const text = `insert into ${spec.table} (${names}) select ${picks} from ${from}${conflict}${returning}`;
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
