/**
 * An index on the events' tracking tag. The event log's tag filter is a case-insensitive
 * substring; with rare matches it used to walk every event of the range newest first (under a
 * postback load: hundreds of thousands of non-matching events of today). Now the filter is turned
 * into the list of distinct tags that match (read off this index, one probe per distinct tag) and
 * the rows are read per tag from it. Events without a tag are left out of it.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('events_tag')
    .ifNotExists()
    .on('events')
    .columns(['tracking_tag', 'occurred_at', 'id'])
    .where(sql.ref('tracking_tag'), 'is not', null)
    .execute();
}
