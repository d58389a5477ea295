/**
 * The event already stored under an event's duplicate key, if any: one read of the unique dedup
 * index. For the checks that must not write (the postback tester, an import's dry run) and so
 * cannot learn it from the insert the way the store step does.
 */
import type { Db } from '../db/connect.js';
import type { CanonicalEvent } from '../domain.js';

export async function storedDuplicate(
  db: Db,
  e: Pick<CanonicalEvent, 'sourceId' | 'dedupKey'>,
): Promise<number | null> {
  if (e.dedupKey === null) return null;
  const row = await db.kysely
    .selectFrom('events')
    .select('id')
    .where('source_id', '=', e.sourceId)
    .where('dedup_key', '=', e.dedupKey)
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}
