/**
 * The brands lock and version that keep every writer's brand cache exact. An admin change (block,
 * merge, rename) runs under the exclusive lock and bumps the version (a row of `settings`); every
 * ingest transaction takes the shared lock before it reads the version and resolves brand ids.
 * PostgreSQL: a transaction-scoped advisory lock (shared / exclusive on one key), so a merge waits
 * for the batches in flight and the next batches wait for the merge. SQLite: the file's write
 * lock already serialises every write transaction, so the shared side is a no-op.
 * Never hold the exclusive lock outside a short admin transaction: it pauses ingest.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { lockInvariant } from '../db/dialect.js';
import type { Database } from '../db/schema.js';

/** The lock's name for `lockInvariant` (PostgreSQL key `hashtext('affpanel:brands')`). */
const LOCK_NAME = 'brands';
export const BRANDS_VERSION_KEY = 'brands.version';

/** Shared side: many ingest transactions at once, none while an admin change runs. */
export async function holdBrandsShared(trx: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') return;
  await sql`select pg_advisory_xact_lock_shared(hashtext(${`affpanel:${LOCK_NAME}`}))`.execute(trx);
}

/** Exclusive side, for admin changes: waits for every ingest transaction holding the shared side. */
export async function holdBrandsExclusive(trx: Kysely<Database>, dialect: DialectName): Promise<void> {
  await lockInvariant(trx, dialect, LOCK_NAME);
}

/** 0 until the first admin change. */
export async function readBrandsVersion(executor: Kysely<Database>): Promise<number> {
  const row = await executor
    .selectFrom('settings')
    .select('value')
    .where('key', '=', BRANDS_VERSION_KEY)
    .executeTakeFirst();
  const version = Number(row?.value ?? 0);
  return Number.isSafeInteger(version) ? version : 0;
}

/** Called inside the change's transaction, under the exclusive lock. */
export async function bumpBrandsVersion(trx: Kysely<Database>, now: number): Promise<number> {
  const next = (await readBrandsVersion(trx)) + 1;
  await trx
    .insertInto('settings')
    .values({ key: BRANDS_VERSION_KEY, value: String(next), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(next), updated_at: now }))
    .execute();
  return next;
}
