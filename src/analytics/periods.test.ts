import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { bucketStarts, resolveComparison, resolvePeriod, resolvePreset } from './periods.js';

const at = (iso: string) => Date.parse(iso);
const range = (p: { from: number; to: number }) => [
  new Date(p.from).toISOString(),
  new Date(p.to).toISOString(),
];

describe('presets with a pinned clock', () => {
  it('starts This Week on Monday 00:00 UTC, also at that very instant', () => {
    expect(range(resolvePreset('this_week', at('2026-04-20T00:00:00Z')))).toEqual([
      '2026-04-20T00:00:00.000Z',
      '2026-04-21T00:00:00.000Z',
    ]);
    expect(range(resolvePreset('this_week', at('2026-04-26T23:59:59.999Z')))[0]).toBe(
      '2026-04-20T00:00:00.000Z',
    );
  });

  it('turns months and quarters at their first instant', () => {
    const now = at('2026-04-01T00:00:00Z');
    expect(range(resolvePreset('this_month', now))[0]).toBe('2026-04-01T00:00:00.000Z');
    expect(range(resolvePreset('last_month', now))).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
    expect(range(resolvePreset('quarter', now))[0]).toBe('2026-04-01T00:00:00.000Z');
    expect(range(resolvePreset('quarter', at('2026-03-31T23:59:59Z')))[0]).toBe('2026-01-01T00:00:00.000Z');
  });

  it('crosses Dec 31 -> Jan 1', () => {
    expect(range(resolvePreset('yesterday', at('2027-01-01T00:30:00Z')))).toEqual([
      '2026-12-31T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(range(resolvePreset('ytd', at('2027-01-01T00:30:00Z')))[0]).toBe('2027-01-01T00:00:00.000Z');
    expect(range(resolvePreset('last_month', at('2027-01-15T12:00:00Z')))[0]).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });

  it('handles the leap day', () => {
    expect(range(resolvePreset('today', at('2028-02-29T12:00:00Z')))).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
    expect(range(resolvePreset('last_month', at('2028-03-01T00:00:00Z')))).toEqual([
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
  });

  it('keeps 24 one-hour buckets on European DST change days', () => {
    for (const day of ['2026-03-29T10:00:00Z', '2026-10-25T10:00:00Z']) {
      const p = resolvePreset('today', at(day));
      const buckets = bucketStarts(p.from, p.to, 'hour');
      expect(buckets).toHaveLength(24);
      expect(buckets.every((b, i) => i === 0 || b - (buckets[i - 1] ?? 0) === 3_600_000)).toBe(true);
    }
  });

  it('uses hourly buckets for Today/Yesterday and daily otherwise', () => {
    const now = at('2026-04-26T15:00:00Z');
    expect(resolvePreset('today', now).granularity).toBe('hour');
    expect(resolvePreset('ytd', now).granularity).toBe('day');
  });
});

describe('custom ranges', () => {
  const now = at('2026-04-26T15:00:00Z');
  it('includes the whole `to` day', () => {
    expect(range(resolvePeriod({ from: '2026-04-01', to: '2026-04-02' }, now))).toEqual([
      '2026-04-01T00:00:00.000Z',
      '2026-04-03T00:00:00.000Z',
    ]);
  });
  it.each([
    [{ from: '2026-04-02', to: '2026-04-01' }, 'from'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '2026-04-01', to: 'soon' }, 'to'],
    [{ to: '2026-04-01' }, 'from'],
    [{ from: '2000-01-01', to: '2026-01-01' }, 'to'],
  ])('refuses %j naming %s', (q, field) => {
    try {
      resolvePeriod(q, now);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).field).toBe(field);
    }
  });
});

describe('compare', () => {
  it('compares this week so far with the same span of last week', () => {
    const c = resolveComparison('week', {}, at('2026-04-22T10:15:00Z'));
    expect(range(c.current)).toEqual(['2026-04-20T00:00:00.000Z', '2026-04-22T11:00:00.000Z']);
    expect(range(c.previous)).toEqual(['2026-04-13T00:00:00.000Z', '2026-04-15T11:00:00.000Z']);
    expect(c.likeForLike).toBe(true);
  });
  it('caps the previous month at its end (March 31 vs February)', () => {
    const c = resolveComparison('month', {}, at('2026-03-31T20:00:00Z'));
    expect(range(c.previous)).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });
  it('compares today so far with yesterday up to the same hour', () => {
    const c = resolveComparison('day', {}, at('2026-01-01T05:20:00Z'));
    expect(range(c.current)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T06:00:00.000Z']);
    expect(range(c.previous)).toEqual(['2025-12-31T00:00:00.000Z', '2025-12-31T06:00:00.000Z']);
    expect(c.likeForLike).toBe(true);
  });
  it('compares the whole of last month with the whole month before it', () => {
    const c = resolveComparison('last_month', {}, at('2026-03-10T08:00:00Z'));
    expect(range(c.current)).toEqual(['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    expect(range(c.previous)).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
    const jan = resolveComparison('last_month', {}, at('2026-01-05T00:00:00Z'));
    expect(range(jan.previous)).toEqual(['2025-11-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z']);
  });
  it('compares the whole of yesterday in the last hour of today', () => {
    const c = resolveComparison('day', {}, at('2026-01-01T23:59:59Z'));
    expect(range(c.current)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    expect(range(c.previous)).toEqual(['2025-12-31T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  });
});
