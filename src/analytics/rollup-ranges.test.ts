import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, DAY_MS, startOfDay, startOfWeek } from './periods.js';
import { bucketReads, sliceRange } from './rollup-ranges.js';

const WEEK = 7 * DAY_MS;
const T0 = Date.UTC(2024, 0, 1);
const SPAN = 800 * DAY_MS;

/** Every slice as a [start, end) interval, whatever its grain. */
function intervals(s: ReturnType<typeof sliceRange>): Array<[number, number]> {
  return [
    ...s.hours,
    ...s.days,
    ...s.weeks.map((w): [number, number] => [w, w + WEEK]),
    ...s.months.map((m): [number, number] => [m, addMonths(m, 1)]),
  ].sort((a, b) => a[0] - b[0]);
}

describe('sliceRange', () => {
  const HOUR = 3_600_000;
  // Hour- or day-aligned ends anywhere in two years, in either order (to <= from gives nothing).
  const ranges = fc
    .tuple(fc.integer({ min: 0, max: SPAN / HOUR }), fc.integer({ min: 0, max: SPAN / HOUR }), fc.boolean())
    .map(([a, b, dayAligned]) => {
      const align = (t: number) => (dayAligned ? startOfDay(t) : t);
      return { from: align(T0 + a * HOUR), to: align(T0 + b * HOUR) };
    });

  it('covers the range exactly, without overlap, for every choice of grains', () => {
    fc.assert(
      fc.property(ranges, fc.boolean(), fc.boolean(), ({ from, to }, months, weeks) => {
        const s = sliceRange(from, to, { months, weeks });
        const parts = intervals(s);
        if (to <= from) {
          expect(parts).toEqual([]);
          return;
        }
        expect(parts[0]?.[0]).toBe(from);
        expect(parts.at(-1)?.[1]).toBe(to);
        for (let i = 1; i < parts.length; i++) expect(parts[i]?.[0]).toBe(parts[i - 1]?.[1]);
        if (!months) expect(s.months).toEqual([]);
        if (!weeks) expect(s.weeks).toEqual([]);
        for (const w of s.weeks) expect(startOfWeek(w)).toBe(w);
        for (const [a, b] of s.days) expect([startOfDay(a), startOfDay(b)]).toEqual([a, b]);
      }),
    );
  });

  it('reads YTD as months, whole weeks and a few days', () => {
    // Thursday 2026-11-26 12:00 → YTD is 2026-01-01 .. 2026-11-27.
    const s = sliceRange(Date.UTC(2026, 0, 1), Date.UTC(2026, 10, 27), { months: true, weeks: true });
    expect(s.months.length).toBe(10);
    expect(s.weeks.map((w) => new Date(w).toISOString().slice(0, 10))).toEqual([
      '2026-11-02',
      '2026-11-09',
      '2026-11-16',
    ]);
    expect(s.days.map(([a, b]) => [new Date(a).getUTCDate(), new Date(b).getUTCDate()])).toEqual([
      [1, 2],
      [23, 27],
    ]);
    expect(s.hours).toEqual([]);
  });

  it('widens hour edges to their day for day-grained tables', () => {
    const from = Date.UTC(2026, 10, 25, 6);
    const to = Date.UTC(2026, 10, 26, 12);
    expect(bucketReads(from, to, { months: true, weeks: true })).toEqual([
      { grain: 'd', from: Date.UTC(2026, 10, 25), to: Date.UTC(2026, 10, 26, 12) },
    ]);
  });
});
