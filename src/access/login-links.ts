/**
 * One-time login links: for the first admin of a fresh install (no Telegram bot needed) and for
 * `affpanel user link`. Single use, expiring (1 h by default); only the token's hash is stored.
 */
import type { Db } from '../db/connect.js';
import { hashSecret, randomSecret } from './secrets.js';

export const LOGIN_LINK_TTL_MS = 3600_000;

export async function createLoginLink(
  db: Db,
  userId: number,
  now = Date.now(),
  ttlMs = LOGIN_LINK_TTL_MS,
): Promise<string> {
  const token = randomSecret();
  await db.kysely
    .insertInto('login_links')
    .values({
      token_hash: hashSecret(token),
      user_id: userId,
      created_at: now,
      expires_at: now + ttlMs,
      used_at: null,
    })
    .execute();
  return token;
}

/** Marks the link used and returns its user id; null when unknown, used or expired. */
export async function consumeLoginLink(db: Db, token: string, now = Date.now()): Promise<number | null> {
  if (token.length < 20 || token.length > 100) return null;
  const tokenHash = hashSecret(token);
  // The update succeeds for one caller only, so a link cannot be used twice even concurrently.
  const used = await db.kysely
    .updateTable('login_links')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return used ? Number(used.user_id) : null;
}
