import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamp.js';

const RECEIVED = new Date('2026-05-01T12:00:00Z');

function accepted(raw: string): string {
  const parsed = parseTimestamp(raw, RECEIVED);
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(raw)} to parse, got: ${parsed.reason}`);
  return parsed.value.toISOString();
}

describe('parseTimestamp accepts', () => {
  it.each([
    ['Unix seconds (10 digits)', '1714564800', '2024-05-01T12:00:00.000Z'],
    ['Unix seconds (9 digits, 2001)', '999999999', '2001-09-09T01:46:39.000Z'],
    ['Unix milliseconds (13 digits)', '1714564800123', '2024-05-01T12:00:00.123Z'],
    ['Unix seconds with spaces around', ' 1714564800 ', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with Z', '2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with lower-case t and z', '2024-05-01t12:00:00z', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with milliseconds', '2024-05-01T12:00:00.123Z', '2024-05-01T12:00:00.123Z'],
    ['ISO 8601 with microseconds (truncated)', '2024-05-01T12:00:00.123456Z', '2024-05-01T12:00:00.123Z'],
    ['ISO 8601 with a comma fraction', '2024-05-01T12:00:00,5Z', '2024-05-01T12:00:00.500Z'],
    ['ISO 8601 with a positive offset', '2024-05-01T14:00:00+02:00', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with a negative offset', '2024-05-01T07:00:00-05:00', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with a compact offset', '2024-05-01T17:30:00+0530', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 with an hours-only offset', '2024-05-01T15:00:00+03', '2024-05-01T12:00:00.000Z'],
    ['an offset whose + arrived as a space', '2024-05-01T14:00:00 02:00', '2024-05-01T12:00:00.000Z'],
    ['an offset crossing midnight', '2024-05-01T00:30:00+01:00', '2024-04-30T23:30:00.000Z'],
    ['ISO 8601 without zone (UTC)', '2024-05-01T12:00:00', '2024-05-01T12:00:00.000Z'],
    ['ISO 8601 without seconds', '2024-05-01T12:00', '2024-05-01T12:00:00.000Z'],
    ['Affise {date}: date, space, time (UTC)', '2024-05-01 12:00:00', '2024-05-01T12:00:00.000Z'],
    ['a date alone (midnight UTC)', '2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['29 February of a leap year', '2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['29 February of a 400-year leap year', '2000-02-29T23:59:59Z', '2000-02-29T23:59:59.000Z'],
    ['the first accepted instant', '2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z'],
    [
      'a time far in the future (the caller judges the future)',
      '2999-12-31T23:59:59Z',
      '2999-12-31T23:59:59.000Z',
    ],
  ])('%s: %j', (_why, raw, iso) => {
    expect(accepted(raw)).toBe(iso);
  });
});

describe('parseTimestamp rejects', () => {
  it.each([
    ['empty text', '', /empty/],
    ['a date that does not exist', '2026-02-30', /no such date: 2026-02-30/],
    ['29 February of a common year', '2026-02-29T10:00:00Z', /no such date/],
    ['29 February of a century year', '2100-02-29', /no such date/],
    ['31 April', '2024-04-31', /no such date/],
    ['month 13', '2024-13-01', /no such date/],
    ['month 00', '2024-00-10', /no such date/],
    ['day 00', '2024-05-00', /no such date/],
    ['hour 25', '2024-05-01 25:00:00', /impossible time: 25:00:00/],
    ['hour 24', '2024-05-01T24:00:00Z', /impossible time/],
    ['minute 60', '2024-05-01T12:60Z', /impossible time: 12:60/],
    ['a leap second', '2016-12-31T23:59:60Z', /impossible time/],
    ['an offset beyond 18 hours', '2024-05-01T12:00:00+19:00', /impossible UTC offset/],
    ['offset minutes beyond 59', '2024-05-01T12:00:00+01:75', /impossible UTC offset/],
    ['a time before 2000', '1999-12-31T23:59:59Z', /before 2000-01-01/],
    ['an offset that lands before 2000', '2000-01-01T00:30:00+01:00', /before 2000-01-01/],
    ['Unix seconds before 2000', '946684799', /before 2000-01-01/],
    ['Unix milliseconds before 2000', '946684799999', /before 2000-01-01/],
    ['zero', '0', /10 digits \(seconds\) or 13 \(milliseconds\)/],
    ['11 digits', '17145648001', /10 digits/],
    ['microseconds (16 digits)', '1714564800123456', /10 digits/],
    ['a negative Unix time', '-1714564800', /ISO 8601/],
    ['fractional Unix seconds', '1714564800.5', /ISO 8601/],
    ['a day-first date', '01/05/2024', /ISO 8601/],
    ['a two-digit year', '24-05-01', /ISO 8601/],
    ['a zone on a date alone', '2024-05-01Z', /ISO 8601/],
    ['a named zone', '2024-05-01 12:00:00 UTC', /ISO 8601/],
    ['an RFC 2822 date', 'Wed, 01 May 2024 12:00:00 GMT', /ISO 8601/],
    ['a word', 'now', /ISO 8601/],
    ['single-digit fields', '2024-5-1', /ISO 8601/],
    ['Arabic-Indic digits', '١٧١٤٥٦٤٨٠٠', /ISO 8601/],
  ])('%s: %j', (_why, raw, reason) => {
    const parsed = parseTimestamp(raw, RECEIVED);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('timestamp properties', () => {
  const instant = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });

  it('reads back any toISOString output exactly', () => {
    fc.assert(
      fc.property(instant, (date) => {
        expect(accepted(date.toISOString())).toBe(date.toISOString());
      }),
    );
  });

  it('reads Unix milliseconds and seconds as the same instant (seconds floored)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2001-09-09T01:46:40Z'),
          max: new Date('2286-11-20T17:46:39Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const ms = date.getTime();
          expect(accepted(String(ms))).toBe(date.toISOString());
          expect(accepted(String(Math.floor(ms / 1000)))).toBe(
            new Date(Math.floor(ms / 1000) * 1000).toISOString(),
          );
        },
      ),
    );
  });

  it('reads the Affise form and a shifted offset form as the same instant as ISO with Z', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offset) => {
        const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const iso = whole.toISOString();
        expect(accepted(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`)).toBe(iso);

        const local = new Date(whole.getTime() + offset * 60_000).toISOString();
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(accepted(`${local.slice(0, 19)}${zone}`)).toBe(iso);
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const parsed = parseTimestamp(raw, RECEIVED);
        if (parsed.ok) expect(Number.isNaN(parsed.value.getTime())).toBe(false);
        else expect(parsed.reason).not.toBe('');
      }),
    );
  });
});
