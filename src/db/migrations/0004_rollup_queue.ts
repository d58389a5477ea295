/**
 * The queue of stored events whose derived rollups (daily/monthly, dimensions, broken tags,
 * orphan FTDs) are still to be added. The ingest transaction only appends ids here; the derived
 * rollups are built from it in larger, cheaper batches, off the postback's critical path.
 */
import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('rollup_queue')
    .addColumn('event_id', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
    .execute();
}
