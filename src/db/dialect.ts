/**
 * The few places where SQLite and PostgreSQL truly differ, each behind a small function.
 * Queries elsewhere are written once against Kysely.
 */
import { type Kysely, sql } from 'kysely';
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
