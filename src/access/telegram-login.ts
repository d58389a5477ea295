/**
 * Verifies Telegram Login Widget data exactly as Telegram documents it: the data-check-string is
 * every received field except `hash`, sorted by name, as `name=value` lines; the expected hash is
 * HMAC-SHA-256 of that string keyed by SHA-256 of the login bot's token. Pure: whether a hash was
 * already used is the caller's check (it needs the database).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TelegramIdentity {
  telegramId: string;
  firstName: string;
  lastName: string;
  username: string | null;
  photoUrl: string | null;
  authDate: number;
  hash: string;
}

export type TelegramCheck = { ok: true; identity: TelegramIdentity } | { ok: false; reason: string };

const FIELD_MAX = 256;

export function telegramDataCheckString(data: Readonly<Record<string, string>>): string {
  return Object.keys(data)
    .filter((name) => name !== 'hash')
    .sort()
    .map((name) => `${name}=${data[name]}`)
    .join('\n');
}

export function telegramLoginHash(data: Readonly<Record<string, string>>, botToken: string): string {
  const secret = createHash('sha256').update(botToken).digest();
  return createHmac('sha256', secret).update(telegramDataCheckString(data)).digest('hex');
}

export function verifyTelegramLogin(
  data: Readonly<Record<string, string>>,
  botToken: string,
  maxAgeSeconds: number,
  now: Date,
): TelegramCheck {
  const hash = data.hash ?? '';
  if (!/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: 'missing or malformed hash' };
  if (Object.values(data).some((v) => typeof v !== 'string' || v.length > FIELD_MAX)) {
    return { ok: false, reason: 'malformed login data' };
  }
  const expected = Buffer.from(telegramLoginHash(data, botToken), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex')))
    return { ok: false, reason: 'login data does not verify' };

  const id = data.id ?? '';
  if (!/^\d{1,20}$/.test(id)) return { ok: false, reason: 'missing Telegram id' };
  const authDate = Number(data.auth_date);
  if (!Number.isInteger(authDate)) return { ok: false, reason: 'missing auth_date' };
  const age = now.getTime() / 1000 - authDate;
  if (age > maxAgeSeconds) return { ok: false, reason: 'login data expired, log in again' };
  if (age < -300) return { ok: false, reason: 'auth_date is in the future' };

  return {
    ok: true,
    identity: {
      telegramId: id,
      firstName: data.first_name ?? '',
      lastName: data.last_name ?? '',
      username: data.username ?? null,
      photoUrl: data.photo_url ?? null,
      authDate,
      hash,
    },
  };
}
