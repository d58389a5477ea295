/**
 * Event times: postback text -> a Date. Accepts Unix seconds (9-10 digits), Unix milliseconds
 * (12-13 digits), ISO 8601 date-times with or without a zone (none means UTC), Affise's
 * `YYYY-MM-DD HH:MM:SS` (UTC) and a bare `YYYY-MM-DD` (midnight UTC).
 * Never uses a date library or `Date.parse` (whose leniency varies): every field is range-checked,
 * so 2026-02-30 or 25:00 is rejected, never rolled over. Never throws. It judges only plausibility
 * in the past (nothing before 2000-01-01); whether a time is too far in the future is the
 * caller's rule, against its own clock.
 */
import { fail, ok, type Parsed, trimAscii } from './parsed.js';

/** The earliest instant accepted: no affiliate conversion predates 2000. */
export const EARLIEST_TIMESTAMP = new Date(Date.UTC(2000, 0, 1));

/** Largest UTC offset accepted, in minutes (±18:00, as java.time allows; real zones stay within ±14:00). */
const MAX_OFFSET_MINUTES = 18 * 60;

const UNIX_SECONDS_RE = /^\d{9,10}$/;
const UNIX_MILLIS_RE = /^\d{12,13}$/;

/**
 * Date, then optionally a time (`T`, `t` or a space before it) with optional seconds and fraction,
 * then optionally a zone: `Z`, `±HH`, `±HHMM`, `±HH:MM`. A space may stand for the `+` of a zone:
 * an unencoded `+` in a query string arrives as a space (`…T12:00:00 02:00`).
 */
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2})(?::?(\d{2}))?)?)?$/;

const UNRECOGNISED =
  'timestamp must be Unix seconds, Unix milliseconds or ISO 8601 like 2024-05-01T12:00:00Z';

/**
 * Parses an event time. `receivedAt` is the server clock of the request: part of the contract so
 * that callers always pass it, though no accepted format needs it today (the future rule is the
 * caller's).
 */
export function parseTimestamp(raw: string, _receivedAt: Date): Parsed<Date> {
  const text = trimAscii(raw);
  if (text === '') return fail('timestamp is empty');
  if (UNIX_SECONDS_RE.test(text)) return plausible(Number(text) * 1000);
  if (UNIX_MILLIS_RE.test(text)) return plausible(Number(text));
  if (/^\d+$/.test(text)) return fail('Unix timestamp must have 10 digits (seconds) or 13 (milliseconds)');

  const m = ISO_RE.exec(text);
  if (m === null) return fail(UNRECOGNISED);
  const [, y, mo, d, h, mi, s, frac, zulu, sign, offH, offM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return fail(`timestamp has no such date: ${y}-${mo}-${d}`);
  }
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (hour > 23 || minute > 59 || second > 59) {
    return fail(`timestamp has an impossible time: ${h}:${mi}${s === undefined ? '' : `:${s}`}`);
  }
  const millis = Number((frac ?? '').slice(0, 3).padEnd(3, '0'));

  let offsetMinutes = 0;
  if (zulu === undefined && sign !== undefined) {
    const hours = Number(offH ?? '0');
    const minutes = Number(offM ?? '0');
    offsetMinutes = hours * 60 + minutes;
    if (minutes > 59 || offsetMinutes > MAX_OFFSET_MINUTES)
      return fail('timestamp has an impossible UTC offset');
    if (sign === '-') offsetMinutes = -offsetMinutes;
  }

  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return plausible(date.getTime() - offsetMinutes * 60_000);
}

function plausible(ms: number): Parsed<Date> {
  if (!Number.isFinite(ms)) return fail(UNRECOGNISED);
  if (ms < EARLIEST_TIMESTAMP.getTime()) return fail('timestamp is before 2000-01-01');
  return ok(new Date(ms));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
