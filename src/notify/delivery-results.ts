/**
 * Finishing a claim: sent, digested, failed for good, back to pending (retry, 429, release) or
 * cancelled — each only for rows this instance still holds, so a claim lost to a lease expiry is
 * never overwritten. Also the housekeeping sweep. Never sends.
 */
import type { UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { ACTIVE_STATUSES, chunks, type DigestBatch } from './claim-lane.js';
import { type NotifyTables, withNotifyTables } from './tables.js';

const ID_SWEEP = 5000;

/** Rows a message stood for: single deliveries by id, or a digest's batch. */
export type Held = { ids: readonly number[] } | DigestBatch;

type HeldUpdate = UpdateQueryBuilder<
  Database & NotifyTables,
  'notify_deliveries',
  'notify_deliveries',
  UpdateResult
>;

/** The held rows in statement-sized parts: a digest in one, ids in chunks. */
function partsOf(rows: Held): Held[] {
  return 'ids' in rows ? chunks(rows.ids).map((ids) => ({ ids })) : [rows];
}

/** Limits an update to rows of `part` still claimed by `holder`. */
function whereHeld(q: HeldUpdate, part: Held, holder: string): HeldUpdate {
  const mine = q.where('status', '=', 'sending').where('claimed_by', '=', holder);
  return 'ids' in part
    ? mine.where('id', 'in', part.ids)
    : mine.where('bot_id', '=', part.botId).where('batch', '=', part.batch);
}

const update = (db: Db) => withNotifyTables(db.kysely).updateTable('notify_deliveries');

/** Sent (a single message) or digested (covered by one digest message). Returns rows updated. */
export async function recordSent(
  db: Db,
  rows: Held,
  holder: string,
  r: { now: number; messageId: number | null },
): Promise<number> {
  const digest = 'batch' in rows;
  let updated = 0;
  for (const part of partsOf(rows)) {
    const q = update(db).set((eb) => ({
      status: digest ? 'digested' : 'sent',
      attempts: eb('attempts', '+', 1),
      finished_at: r.now,
      message_id: r.messageId,
      digest_size: 'batch' in rows ? rows.size : null,
      claimed_by: null,
      error: null,
    }));
    updated += Number((await whereHeld(q, part, holder).executeTakeFirst()).numUpdatedRows);
  }
  return updated;
}

/** Failed for good, with Telegram's reason; with `atLimit`, only rows whose attempts have run out. */
export async function recordFailed(
  db: Db,
  rows: Held,
  holder: string,
  r: { now: number; error: string; countAttempt: boolean; atLimit?: number },
): Promise<void> {
  for (const part of partsOf(rows)) {
    let q = whereHeld(
      update(db).set((eb) => ({
        status: 'failed',
        attempts: r.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
        finished_at: r.now,
        claimed_by: null,
        error: r.error.slice(0, 500),
      })),
      part,
      holder,
    );
    if (r.atLimit !== undefined) q = q.where('attempts', '>=', r.atLimit - 1);
    await q.execute();
  }
}

/** Back to pending, due at `dueAt` (a retry after backoff or a 429, or a release). */
export async function recordRetry(
  db: Db,
  rows: Held,
  holder: string,
  r: { dueAt: number; error: string | null; countAttempt: boolean },
): Promise<void> {
  for (const part of partsOf(rows)) {
    const q = update(db).set((eb) => ({
      status: 'pending',
      attempts: r.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      due_at: r.dueAt,
      claimed_by: null,
      ...(r.error === null ? {} : { error: r.error.slice(0, 500) }),
    }));
    await whereHeld(q, part, holder).execute();
  }
}

/** Cancelled: the bot was deleted or deactivated before they went out. */
export async function recordCancelled(
  db: Db,
  rows: Held,
  holder: string,
  r: { now: number; reason: string },
): Promise<void> {
  for (const part of partsOf(rows)) {
    const q = update(db).set({ status: 'cancelled', finished_at: r.now, claimed_by: null, error: r.reason });
    await whereHeld(q, part, holder).execute();
  }
}

/** Rows `holder` still claims whose lease has run out (see the sender's releaseStranded). */
export async function findStranded(
  db: Db,
  holder: string,
  now: number,
): Promise<Array<{ id: number; batch: number | null }>> {
  const rows = await withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .select(['id', 'batch'])
    .where('status', '=', 'sending')
    .where('due_at', '<=', now)
    .where('claimed_by', '=', holder)
    .limit(ID_SWEEP)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), batch: r.batch === null ? null : Number(r.batch) }));
}

/** Everything this instance still holds goes back to pending, due now (a graceful stop). */
export async function releaseAll(db: Db, holder: string, now: number): Promise<void> {
  await withNotifyTables(db.kysely)
    .updateTable('notify_deliveries')
    .set({ status: 'pending', claimed_by: null, due_at: now })
    .where('status', '=', 'sending')
    .where('claimed_by', '=', holder)
    .execute();
}

/**
 * Housekeeping: deliveries whose bot is gone, or inactive (alerts excepted: the alert settings chose
 * that bot for them), are cancelled once due, so none held by a live instance is touched. Returns
 * the explicit-chat lanes (alerts) that have work.
 */
export async function sweepDeliveries(
  db: Db,
  now: number,
): Promise<Array<{ botId: number; chatId: string }>> {
  const ndb = withNotifyTables(db.kysely);
  // Read first: on SQLite a write takes the file's lock, which most sweeps do not need.
  const orphans = await ndb
    .selectFrom('notify_deliveries')
    .select('id')
    .where('status', 'in', ACTIVE_STATUSES)
    .where('due_at', '<=', now)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('kind', '<>', 'alert'),
          eb('bot_id', 'not in', eb.selectFrom('bots').select('id').where('is_active', '=', 1)),
        ]),
        eb('bot_id', 'not in', eb.selectFrom('bots').select('id')),
      ]),
    )
    .limit(ID_SWEEP)
    .execute();
  for (const ids of chunks(orphans.map((o) => Number(o.id)))) {
    await ndb
      .updateTable('notify_deliveries')
      .set({ status: 'cancelled', finished_at: now, claimed_by: null, error: 'bot deleted or inactive' })
      .where('id', 'in', ids)
      .where('status', 'in', ACTIVE_STATUSES)
      .where('due_at', '<=', now)
      .execute();
  }
  const lanes = await ndb
    .selectFrom('notify_deliveries')
    .select(['bot_id', 'chat_id'])
    .distinct()
    .where('kind', '=', 'alert')
    .where('status', 'in', ACTIVE_STATUSES)
    .execute();
  return lanes.flatMap((l) => (l.chat_id === null ? [] : [{ botId: Number(l.bot_id), chatId: l.chat_id }]));
}
