/**
 * Telegram Login Widget data as Telegram would sign it (HMAC-SHA-256 keyed by SHA-256 of the bot
 * token), so tests log people in through the real callback without reaching Telegram.
 */
import { createHash, createHmac } from 'node:crypto';

let lastAuthDate = Number.POSITIVE_INFINITY;

/** Each call is dated strictly earlier than the last one, so two logins never share a hash. */
function nextAuthDate(): number {
  lastAuthDate = Math.min(Math.floor(Date.now() / 1000), lastAuthDate - 1);
  return lastAuthDate;
}

export function signedTelegramLogin(
  botToken: string,
  user: { id: string; first_name: string; last_name?: string; username?: string },
): Record<string, string> {
  const data: Record<string, string> = {
    ...user,
    auth_date: String(nextAuthDate()),
  };
  const checkString = Object.keys(data)
    .sort()
    .map((k) => `${k}=${data[k]}`)
    .join('\n');
  const secret = createHash('sha256').update(botToken).digest();
  return { ...data, hash: createHmac('sha256', secret).update(checkString).digest('hex') };
}
