/**
 * The audit log: who did what to which record, with the record before and after, when and from
 * where. Written in the same transaction as the change where there is one. Secrets (tokens, keys)
 * are never part of before/after: callers pass the public shape of a record.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface Actor {
  userId: number | null;
  /** Readable: `@username`, `tg:123`, `user:5`, `cli`, `anonymous`. */
  label: string;
  ip: string | null;
}

export const CLI_ACTOR: Actor = { userId: null, label: 'cli', ip: null };

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(
  db: Kysely<Database>,
  actor: Actor,
  entry: AuditEntry,
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now,
      actor_user_id: actor.userId,
      actor: actor.label,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      ip: actor.ip,
    })
    .execute();
}
