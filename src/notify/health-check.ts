/**
 * Bot health: getMe with the bot's token says whether Telegram knows the bot (online) or not
 * (offline: bad token, Telegram unreachable), stored with the check time and the bot's username.
 * A bot whose chat or token Telegram refused while sending is marked offline with the reason, and
 * stays offline through later getMe checks (they test the token, not the chat).
 * Never calls Telegram while the bot is held back by a 429.
 */
import type { Db } from '../db/connect.js';
import type { BotApi } from './bot-api.js';
import { retryBusy } from './busy-retry.js';
import { withNotifyTables } from './tables.js';

/**
 * How a refusal of the bot's chat is stored (health_error). getMe only tests the token, so a
 * health check keeps such a bot offline: the chat is still refused until an admin edits the chat
 * or a test message gets through.
 */
export const CHAT_REFUSED = 'Telegram refused the chat: ';

export interface HealthResult {
  status: 'online' | 'offline';
  checkedAt: number;
  error: string | null;
  username: string | null;
}

export async function checkBotHealth(
  db: Db,
  api: BotApi,
  bot: { id: number; token: string },
  blockedUntil: number,
  now: () => number = Date.now,
): Promise<HealthResult> {
  let result: HealthResult;
  if (blockedUntil > now()) {
    // Telegram answered (with a 429) moments ago: the token works; do not call before it allows.
    result = {
      status: 'online',
      checkedAt: now(),
      error: `rate limited by Telegram until ${new Date(blockedUntil).toISOString()}`,
      username: null,
    };
  } else {
    const outcome = await api.getMe(bot.token);
    const checkedAt = now();
    const refused = await chatRefusal(db, bot.id);
    if (outcome.kind === 'ok' && refused !== null)
      result = { status: 'offline', checkedAt, error: refused, username: outcome.result?.username ?? null };
    else if (outcome.kind === 'ok')
      result = { status: 'online', checkedAt, error: null, username: outcome.result?.username ?? null };
    else if (outcome.kind === 'rate_limited')
      result = { status: 'online', checkedAt, error: outcome.description, username: null };
    else if (outcome.kind === 'permanent')
      result = { status: 'offline', checkedAt, error: outcome.description, username: null };
    else result = { status: 'offline', checkedAt, error: outcome.reason, username: null };
  }
  await retryBusy(() =>
    withNotifyTables(db.kysely)
      .updateTable('bots')
      .set({
        health_status: result.status,
        health_checked_at: result.checkedAt,
        health_error: result.error,
        ...(result.username === null ? {} : { bot_username: result.username }),
      })
      .where('id', '=', bot.id)
      .execute(),
  );
  return result;
}

/** Telegram refused the bot's own chat (or its token) for good while sending. */
export async function markBotRefused(
  db: Db,
  botId: number,
  description: string,
  now = Date.now(),
): Promise<void> {
  await withNotifyTables(db.kysely)
    .updateTable('bots')
    .set({
      health_status: 'offline',
      health_checked_at: now,
      health_error: `${CHAT_REFUSED}${description}`.slice(0, 500),
    })
    .where('id', '=', botId)
    .execute();
}

/** The stored refusal of the bot's chat, or null when its health says something else. */
async function chatRefusal(db: Db, botId: number): Promise<string | null> {
  const row = await withNotifyTables(db.kysely)
    .selectFrom('bots')
    .select(['health_status', 'health_error'])
    .where('id', '=', botId)
    .executeTakeFirst();
  return row?.health_status === 'offline' && row.health_error?.startsWith(CHAT_REFUSED)
    ? row.health_error
    : null;
}

/** A message reached the bot's chat again (a test message): the refusal no longer holds. */
export async function clearChatRefusal(db: Db, botId: number, now = Date.now()): Promise<void> {
  await withNotifyTables(db.kysely)
    .updateTable('bots')
    .set({ health_status: 'online', health_checked_at: now, health_error: null })
    .where('id', '=', botId)
    .where('health_error', 'like', `${CHAT_REFUSED}%`)
    .execute();
}
