/**
 * A second previous key per source. A rotation keeps the key it replaces working for the grace
 * period; a second rotation inside that period used to drop the key before it at once, the one
 * the network was still configured with. Now that key keeps its own grace as the "older" key.
 * Each column is added only when missing, so a run interrupted between the two (SQLite migrates
 * without a transaction) can be repeated.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const bigint = ctx.dialect === 'sqlite' ? 'integer' : 'bigint';
  const tables = await db.introspection.getTables();
  const columns = new Set(tables.find((t) => t.name === 'sources')?.columns.map((c) => c.name) ?? []);
  if (!columns.has('older_key'))
    await db.schema.alterTable('sources').addColumn('older_key', 'text').execute();
  if (!columns.has('older_key_expires_at'))
    await db.schema.alterTable('sources').addColumn('older_key_expires_at', bigint).execute();
}
