/**
 * Idempotency keys for the event API. A key is reserved (a unique row) before the work runs, so a
 * retry that overlaps the first call cannot run it twice; the answer is saved when the work ends,
 * and the reservation is released if the work failed so the client may retry.
 */
import type { Db } from '../../db/connect.js';

/** status_code of a reservation whose work is still running. */
const PENDING = 0;

export type Reservation =
  | { kind: 'reserved' }
  | { kind: 'replay'; statusCode: number; response: string }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export async function reserveIdempotencyKey(
  db: Db,
  scope: string,
  key: string,
  requestHash: string,
): Promise<Reservation> {
  const inserted = await db.kysely
    .insertInto('idempotency_keys')
    .values({
      scope,
      key,
      request_hash: requestHash,
      status_code: PENDING,
      response: '',
      created_at: Date.now(),
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'reserved' };
  const previous = await db.kysely
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!previous) return reserveIdempotencyKey(db, scope, key, requestHash); // released meanwhile
  if (previous.request_hash !== requestHash) return { kind: 'mismatch' };
  if (previous.status_code === PENDING) return { kind: 'in-progress' };
  return { kind: 'replay', statusCode: previous.status_code, response: previous.response };
}

export async function completeIdempotencyKey(
  db: Db,
  scope: string,
  key: string,
  statusCode: number,
  response: string,
): Promise<void> {
  await db.kysely
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await db.kysely
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('status_code', '=', PENDING)
    .execute();
}
