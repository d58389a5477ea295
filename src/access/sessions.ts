/**
 * Server-side sessions. The browser holds a random 256-bit id in an HttpOnly cookie; the database
 * holds only its hash, the user it belongs to, a CSRF token and its expiry (idle and absolute).
 * The user's role and status are read on every request, so an admin's change applies at once.
 */
import type { Db } from '../db/connect.js';
import type { SessionRow, UserRow } from '../db/schema.js';
import { hashSecret, randomSecret } from './secrets.js';

export const SESSION_COOKIE = 'affpanel_session';
/** last_seen_at is written at most this often per session, so reads do not become writes. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface NewSession {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

export async function createSession(
  db: Db,
  userId: number,
  meta: { ip: string | null; userAgent: string | null },
  policy: SessionPolicy,
  now = Date.now(),
): Promise<NewSession> {
  const id = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = now + policy.maxMs;
  await db.kysely
    .insertInto('sessions')
    .values({
      id_hash: hashSecret(id),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 256) ?? null,
    })
    .execute();
  return { id, csrfToken, expiresAt };
}

export interface LoadedSession {
  session: SessionRow;
  user: UserRow;
}

/** The live session for a cookie value, or null (unknown, expired, or its user deactivated or gone). */
export async function loadSession(
  db: Db,
  cookieValue: string,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<LoadedSession | null> {
  if (cookieValue.length < 20 || cookieValue.length > 100) return null;
  const idHash = hashSecret(cookieValue);
  const row = await db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select([
      'users.id as u_id',
      'users.telegram_id',
      'users.first_name',
      'users.last_name',
      'users.username',
      'users.photo_url',
      'users.role',
      'users.status',
      'users.is_active',
      'users.created_at as u_created_at',
      'users.updated_at as u_updated_at',
      'users.last_login_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return null;
  const expired = now >= row.expires_at || now - row.last_seen_at > policy.idleMs;
  if (expired || row.is_active !== 1 || row.status === 'rejected') {
    await db.kysely.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  if (now - row.last_seen_at > TOUCH_EVERY_MS) {
    await db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return {
    session: {
      id_hash: row.id_hash,
      user_id: row.user_id,
      csrf_token: row.csrf_token,
      created_at: row.created_at,
      last_seen_at: row.last_seen_at,
      expires_at: row.expires_at,
      ip: row.ip,
      user_agent: row.user_agent,
    },
    user: {
      id: Number(row.u_id),
      telegram_id: row.telegram_id,
      first_name: row.first_name,
      last_name: row.last_name,
      username: row.username,
      photo_url: row.photo_url,
      role: row.role,
      status: row.status,
      is_active: row.is_active,
      created_at: row.u_created_at,
      updated_at: row.u_updated_at,
      last_login_at: row.last_login_at,
    },
  };
}

export async function endSession(db: Db, cookieValue: string): Promise<void> {
  await db.kysely.deleteFrom('sessions').where('id_hash', '=', hashSecret(cookieValue)).execute();
}

export async function endUserSessions(db: Db, userId: number): Promise<number> {
  const result = await db.kysely.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Users with at least one session that has not expired (for the Users page's Active dot). */
export async function usersWithLiveSessions(
  db: Db,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<Set<number>> {
  const rows = await db.kysely
    .selectFrom('sessions')
    .select('user_id')
    .distinct()
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', now - policy.idleMs)
    .execute();
  return new Set(rows.map((r) => Number(r.user_id)));
}
