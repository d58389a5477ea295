/**
 * The Telegram Login Widget check against vectors computed here, independently of the module's
 * own helpers, exactly as Telegram documents it: the data-check-string is every field but `hash`,
 * sorted by name, as `name=value` lines joined by "\n"; the hash is the hex HMAC-SHA-256 of that
 * string keyed by SHA-256 of the bot token.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { telegramDataCheckString, telegramLoginHash, verifyTelegramLogin } from './telegram-login.js';

const BOT_TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const OTHER_BOT_TOKEN = '654321:ZYXWVUTSRQPONMLKJIHGFEDCBA';
const MAX_AGE = 86_400;
const NOW = new Date('2025-03-01T12:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

/** The reference implementation, written from Telegram's documentation. */
function referenceHash(fields: Readonly<Record<string, string>>, botToken: string): string {
  const lines: string[] = [];
  for (const key of Object.keys(fields).sort()) {
    if (key === 'hash') continue;
    lines.push(`${key}=${fields[key]}`);
  }
  const secretKey = createHash('sha256').update(botToken, 'utf8').digest();
  return createHmac('sha256', secretKey).update(lines.join('\n'), 'utf8').digest('hex');
}

function baseFields(authDate = NOW_SECONDS - 60): Record<string, string> {
  return {
    id: '424242',
    first_name: 'Ada',
    last_name: 'Lovelace',
    username: 'ada_l',
    photo_url: 'https://t.me/i/userpic/320/ada.jpg',
    auth_date: String(authDate),
  };
}

function signed(fields: Record<string, string>, botToken = BOT_TOKEN): Record<string, string> {
  return { ...fields, hash: referenceHash(fields, botToken) };
}

describe('reference vectors', () => {
  it('a fixed vector has the documented data-check-string and HMAC', () => {
    const fields = {
      auth_date: '1700000000',
      first_name: 'Ada',
      id: '424242',
      username: 'ada_l',
    };
    const expectedString = 'auth_date=1700000000\nfirst_name=Ada\nid=424242\nusername=ada_l';
    const secretKey = createHash('sha256').update(BOT_TOKEN).digest();
    const expectedHash = createHmac('sha256', secretKey).update(expectedString).digest('hex');
    expect(telegramDataCheckString({ ...fields, hash: 'ignored' })).toBe(expectedString);
    expect(telegramLoginHash(fields, BOT_TOKEN)).toBe(expectedHash);
    expect(referenceHash(fields, BOT_TOKEN)).toBe(expectedHash);
  });

  it('the module hash equals the reference hash for any field set', () => {
    const key = fc.stringMatching(/^[a-z_]{1,12}$/).filter((k) => k !== 'hash');
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 40 })), (fields) => {
        expect(telegramLoginHash(fields, BOT_TOKEN)).toBe(referenceHash(fields, BOT_TOKEN));
      }),
    );
  });
});

describe('verifyTelegramLogin', () => {
  it('accepts correctly signed data and returns the identity', () => {
    const data = signed(baseFields());
    const result = verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW);
    expect(result).toEqual({
      ok: true,
      identity: {
        telegramId: '424242',
        firstName: 'Ada',
        lastName: 'Lovelace',
        username: 'ada_l',
        photoUrl: 'https://t.me/i/userpic/320/ada.jpg',
        authDate: NOW_SECONDS - 60,
        hash: data.hash,
      },
    });
  });

  it('accepts minimal data (id, first_name, auth_date) with absent optional fields as null/empty', () => {
    const data = signed({ id: '7', first_name: 'Bo', auth_date: String(NOW_SECONDS) });
    const result = verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.identity.lastName).toBe('');
      expect(result.identity.username).toBeNull();
      expect(result.identity.photoUrl).toBeNull();
    }
  });

  it.each(Object.keys(baseFields()))('refuses data whose %s was changed after signing', (field) => {
    const data = signed(baseFields());
    const original = data[field] ?? '';
    const tampered = {
      ...data,
      [field]: field === 'auth_date' ? String(Number(original) + 1) : `${original}x`,
    };
    const result = verifyTelegramLogin(tampered, BOT_TOKEN, MAX_AGE, NOW);
    expect(result).toEqual({ ok: false, reason: 'login data does not verify' });
  });

  it('refuses data with a field added after signing', () => {
    const data = { ...signed(baseFields()), role: 'admin' };
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it('refuses data with a field removed after signing', () => {
    const { username: _removed, ...rest } = signed(baseFields());
    expect(verifyTelegramLogin(rest, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it('refuses data signed for another bot token', () => {
    const data = signed(baseFields(), OTHER_BOT_TOKEN);
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW)).toEqual({
      ok: false,
      reason: 'login data does not verify',
    });
  });

  it('refuses a hash flipped in a single hex digit', () => {
    const data = signed(baseFields());
    const hash = data.hash ?? '';
    const flipped = `${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}`;
    expect(verifyTelegramLogin({ ...data, hash: flipped }, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it('refuses a stale auth_date (older than the max age), accepts one just inside it', () => {
    const stale = signed(baseFields(NOW_SECONDS - MAX_AGE - 1));
    expect(verifyTelegramLogin(stale, BOT_TOKEN, MAX_AGE, NOW)).toEqual({
      ok: false,
      reason: 'login data expired, log in again',
    });
    const borderline = signed(baseFields(NOW_SECONDS - MAX_AGE));
    expect(verifyTelegramLogin(borderline, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(true);
  });

  it('honours a shorter max age', () => {
    const data = signed(baseFields(NOW_SECONDS - 120));
    expect(verifyTelegramLogin(data, BOT_TOKEN, 60, NOW).ok).toBe(false);
    expect(verifyTelegramLogin(data, BOT_TOKEN, 180, NOW).ok).toBe(true);
  });

  it('refuses an auth_date in the future (beyond clock skew)', () => {
    const data = signed(baseFields(NOW_SECONDS + 3600));
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW)).toEqual({
      ok: false,
      reason: 'auth_date is in the future',
    });
  });

  it('refuses a non-numeric auth_date even when signed', () => {
    const data = signed({ ...baseFields(), auth_date: 'yesterday' });
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too short', 'abc123'],
    ['63 hex digits', 'a'.repeat(63)],
    ['65 hex digits', 'a'.repeat(65)],
    ['non-hex characters', 'g'.repeat(64)],
    ['base64 instead of hex', Buffer.alloc(32, 1).toString('base64')],
  ])('refuses a malformed hash (%s) without throwing', (_label, hash) => {
    const fields = baseFields();
    const data = hash === undefined ? fields : { ...fields, hash };
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW)).toEqual({
      ok: false,
      reason: 'missing or malformed hash',
    });
  });

  it('refuses signed data without an id', () => {
    const { id: _id, ...rest } = baseFields();
    const data = signed(rest);
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW)).toEqual({
      ok: false,
      reason: 'missing Telegram id',
    });
  });

  it('refuses signed data whose id is not a number', () => {
    const data = signed({ ...baseFields(), id: '12ab' });
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it('refuses an overlong field value even when signed', () => {
    const data = signed({ ...baseFields(), first_name: 'A'.repeat(1000) });
    expect(verifyTelegramLogin(data, BOT_TOKEN, MAX_AGE, NOW).ok).toBe(false);
  });

  it('never accepts data that was changed after signing (property)', () => {
    const fieldNames = Object.keys(baseFields()).filter((f) => f !== 'auth_date' && f !== 'id');
    fc.assert(
      fc.property(
        fc.constantFrom(...fieldNames),
        fc.string({ minLength: 1, maxLength: 20 }),
        (field, value) => {
          const data = signed(baseFields());
          fc.pre(data[field] !== value);
          const result = verifyTelegramLogin({ ...data, [field]: value }, BOT_TOKEN, MAX_AGE, NOW);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });
});
