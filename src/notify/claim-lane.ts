/**
 * Claiming a chat's deliveries. `claimLane` takes one chat's due deliveries in one short
 * transaction: it locks the chat's pacing row (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock
 * on SQLite), plans them into the chat's free slots, marks them 'sending' under this instance's
 * name with a lease, and moves the chat's next free slot — so two instances never hold the same
 * delivery and keep to one schedule per chat. The overflow that goes into a digest is claimed in
 * one UPDATE … WHERE id IN (SELECT …) and named by a batch number, so a digest of thousands never
 * travels as a list of ids. Never sends.
 */
import { type Kysely, sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { claimRows, lockForWrite } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { freeSlots, type LanePlan, planLane } from './pacing.js';
import { type DeliveryKind, type DeliveryStatus, withNotifyTables } from './tables.js';

export const ACTIVE_STATUSES: DeliveryStatus[] = ['pending', 'sending'];

/** One chat a bot sends to: the bot's own chat (chatId null) or an explicit one (alerts). */
export interface Lane {
  botId: number;
  chatId: string | null;
  /** The pacing row's key: the Telegram bot (token hash) and the chat. */
  pacingKey: string;
  interval: number;
}

export interface ClaimedDelivery {
  id: number;
  kind: DeliveryKind;
  eventId: number | null;
  text: string | null;
  attempts: number;
  createdAt: number;
}

/** The rows of a digest: all held by us with this bot and batch number. */
export interface DigestBatch {
  botId: number;
  batch: number;
  size: number;
}

export interface LaneClaim {
  plan: LanePlan;
  /** Oldest first, one message each in the first slots. */
  singles: ClaimedDelivery[];
  /** The rest, one digest in the last slot. */
  digest: DigestBatch | null;
  leaseUntil: number;
}

export interface ClaimOptions {
  now: number;
  maxLagMs: number;
  /** How long after the last planned slot the claim holds (covering a call's timeout). */
  leaseMs: number;
  holder: string;
  /** Names this claim's digest rows (unique per holder). */
  batch: number;
  /** Most deliveries one digest takes; more wait for the next free slot. */
  digestMax: number;
}

const ID_CHUNK = 5000;

export function chunks<T>(list: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The lane's due rows: its bot, its chat (null = the bot's own), pending, or claimed by another
 * holder whose lease has run out. Rows this instance holds are never claimed again by it: its own
 * worker gives them back if it is too late to send them, so one process never has a delivery
 * planned twice.
 */
function dueRows(db: Kysely<Database>, lane: Lane, now: number, holder: string) {
  const q = withNotifyTables(db)
    .selectFrom('notify_deliveries')
    .where((eb) =>
      eb.or([
        eb('status', '=', 'pending'),
        eb.and([eb('status', '=', 'sending'), eb('claimed_by', '<>', holder)]),
      ]),
    )
    .where('bot_id', '=', lane.botId)
    .where('due_at', '<=', now);
  return lane.chatId === null ? q.where('chat_id', 'is', null) : q.where('chat_id', '=', lane.chatId);
}

/** True when the lane has a delivery due now (cheap, indexed; no transaction). */
export async function laneHasDue(db: Db, lane: Lane, now: number, holder: string): Promise<boolean> {
  return (await dueRows(db.kysely, lane, now, holder).select('id').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Claims and plans the lane's due deliveries. `claim` is null when nothing fits (`nextAt` then says
 * when the chat's schedule frees up) or another instance is planning the chat (`nextAt` null).
 */
export async function claimLane(
  db: Db,
  lane: Lane,
  o: ClaimOptions,
): Promise<{ claim: LaneClaim | null; nextAt: number | null }> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockForWrite(trx, db.dialect);
    const ndb = withNotifyTables(trx);
    await ndb
      .insertInto('notify_pacing')
      .values({ key: lane.pacingKey, next_at: 0 })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const pacing = await claimRows(
      ndb.selectFrom('notify_pacing').select('next_at').where('key', '=', lane.pacingKey),
      db.dialect,
    ).executeTakeFirst();
    if (!pacing) return { claim: null, nextAt: null };
    const nextAt = Number(pacing.next_at);
    const free = freeSlots(o.now, nextAt, lane.interval, o.maxLagMs);
    if (free === 0) return { claim: null, nextAt };

    // One row more than the free slots tells whether a digest is needed.
    const rows = await claimRows(
      dueRows(trx, lane, o.now, o.holder)
        .select(['id', 'kind', 'event_id', 'text', 'attempts', 'created_at'])
        .orderBy('id')
        .limit(free + 1),
      db.dialect,
    ).execute();
    const plan = planLane(o.now, nextAt, lane.interval, o.maxLagMs, rows.length);
    if (!plan) return { claim: null, nextAt };
    const singles = rows.slice(0, plan.single).map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      eventId: r.event_id === null ? null : Number(r.event_id),
      text: r.text,
      attempts: Number(r.attempts),
      createdAt: Number(r.created_at),
    }));
    const leaseUntil = (plan.slots.at(-1) ?? o.now) + o.leaseMs;
    const claimed = { status: 'sending' as const, claimed_by: o.holder, due_at: leaseUntil };

    let digest: DigestBatch | null = null;
    if (plan.digested > 0) {
      // Everything due after the singles, up to digestMax, claimed in one statement.
      const after = singles.at(-1)?.id ?? 0;
      const result = await ndb
        .updateTable('notify_deliveries')
        .set({ ...claimed, batch: o.batch })
        .where(
          'id',
          'in',
          claimRows(
            dueRows(trx, lane, o.now, o.holder)
              .select('id')
              .where('id', '>', after)
              .orderBy('id')
              .limit(o.digestMax),
            db.dialect,
          ),
        )
        .executeTakeFirst();
      const size = Number(result.numUpdatedRows);
      if (size > 0) digest = { botId: lane.botId, batch: o.batch, size };
      else {
        // Another instance took them meanwhile (PostgreSQL): no digest slot after all.
        plan.slots.pop();
        plan.nextAt -= lane.interval;
      }
    }
    if (singles.length > 0) {
      await ndb
        .updateTable('notify_deliveries')
        .set({ ...claimed, batch: null })
        .where(
          'id',
          'in',
          singles.map((d) => d.id),
        )
        .execute();
    }
    if (plan.slots.length === 0) return { claim: null, nextAt };
    await ndb
      .updateTable('notify_pacing')
      .set({ next_at: plan.nextAt })
      .where('key', '=', lane.pacingKey)
      .execute();
    return { claim: { plan, singles, digest, leaseUntil }, nextAt: plan.nextAt };
  });
}

/** Moves a chat's next free slot to at least `at` (after a 429: nothing is planned before it). */
export async function pushPacing(db: Db, pacingKey: string, at: number): Promise<void> {
  const ndb = withNotifyTables(db.kysely);
  await ndb
    .insertInto('notify_pacing')
    .values({ key: pacingKey, next_at: at })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        next_at: sql<number>`case when notify_pacing.next_at > ${at} then notify_pacing.next_at else ${at} end`,
      }),
    )
    .execute();
}

/**
 * Gives a chat's unused reserved slots back after its planned messages were released: the next
 * free slot goes back to `to`, but only if no one reserved after us (it still equals `from`).
 */
export async function rewindPacing(db: Db, pacingKey: string, from: number, to: number): Promise<void> {
  if (to >= from) return;
  await withNotifyTables(db.kysely)
    .updateTable('notify_pacing')
    .set({ next_at: to })
    .where('key', '=', pacingKey)
    .where('next_at', '=', from)
    .execute();
}
