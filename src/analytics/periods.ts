/**
 * Periods: a preset (Today, Yesterday, This Week, …) or a custom From/To turned into a half-open
 * UTC range [from, to) of epoch milliseconds, from an injectable clock. Pure arithmetic on UTC
 * fields: never reads a time zone, so European DST dates cannot move a bucket. Never throws
 * anything but AppError('bad_request') naming the field.
 *
 * Decisions: presets that run "until now" end at the end of the current UTC day, so an event
 * dated later today (postbacks may be up to 24 h ahead) counts in Today; custom `to` dates are
 * inclusive (the whole day). Compare cuts week/month/quarter/YTD at the end of the current hour
 * and the previous period at the same elapsed span ("like for like").
 */
import { AppError } from '../errors.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const PRESETS = [
  'today',
  'yesterday',
  'this_week',
  'this_month',
  'last_month',
  'quarter',
  'ytd',
] as const;
export type Preset = (typeof PRESETS)[number];

export type Granularity = 'hour' | 'day';

/** A resolved period: [from, to) in epoch ms, UTC. */
export interface Period {
  preset: Preset | 'custom';
  from: number;
  to: number;
  granularity: Granularity;
}

/** The clock every analytics route reads; tests replace `now` to pin it. */
export const analyticsClock = { now: (): number => Date.now() };

/** Longest custom range an aggregate route accepts (rollups keep even this cheap). */
export const MAX_AGGREGATE_RANGE_DAYS = 3700;

export function startOfDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

export function startOfHour(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

/** Monday 00:00 UTC of the week holding `t`. */
export function startOfWeek(t: number): number {
  const day = startOfDay(t);
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - weekday * DAY_MS;
}

export function startOfMonth(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** First day of the month `delta` months after the month holding `t`. */
export function addMonths(t: number, delta: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1);
}

export function startOfQuarter(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
}

export function startOfYear(t: number): number {
  return Date.UTC(new Date(t).getUTCFullYear(), 0, 1);
}

/** Hourly buckets for a range up to two days long, daily buckets beyond. */
export function granularityFor(from: number, to: number): Granularity {
  return to - from <= 2 * DAY_MS ? 'hour' : 'day';
}

export function resolvePreset(preset: Preset, now: number): Period {
  const today = startOfDay(now);
  const tomorrow = today + DAY_MS;
  switch (preset) {
    case 'today':
      return { preset, from: today, to: tomorrow, granularity: 'hour' };
    case 'yesterday':
      return { preset, from: today - DAY_MS, to: today, granularity: 'hour' };
    case 'this_week':
      return { preset, from: startOfWeek(now), to: tomorrow, granularity: 'day' };
    case 'this_month':
      return { preset, from: startOfMonth(now), to: tomorrow, granularity: 'day' };
    case 'last_month':
      return { preset, from: addMonths(now, -1), to: startOfMonth(now), granularity: 'day' };
    case 'quarter':
      return { preset, from: startOfQuarter(now), to: tomorrow, granularity: 'day' };
    case 'ytd':
      return { preset, from: startOfYear(now), to: tomorrow, granularity: 'day' };
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]00:?00)?$/;

/** `YYYY-MM-DD` -> midnight UTC, or null when it is not a real calendar date. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (y < 2000 || y > 2200 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

/** A date or a UTC date-time (`Z`, `+00:00` or no zone) -> epoch ms; `kind` says which it was. */
export function parseInstant(text: string): { t: number; kind: 'date' | 'datetime' } | null {
  const date = parseDate(text);
  if (date !== null) return { t: date, kind: 'date' };
  const m = DATETIME_RE.exec(text);
  if (!m) return null;
  const day = parseDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === null || h > 23 || mi > 59 || s > 59) return null;
  return {
    t: day + h * HOUR_MS + mi * 60_000 + s * 1000 + Number((m[7] ?? '0').padEnd(3, '0')),
    kind: 'datetime',
  };
}

export interface PeriodQuery {
  period?: Preset | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Resolves an aggregate route's period: a preset, or custom `from`/`to` dates (`to` inclusive),
 * or `defaultPreset` when neither is given. A preset together with from/to is a contradiction.
 */
export function resolvePeriod(q: PeriodQuery, now: number, defaultPreset: Preset = 'today'): Period {
  if (q.from === undefined && q.to === undefined) return resolvePreset(q.period ?? defaultPreset, now);
  if (q.period !== undefined)
    throw new AppError('bad_request', 'give either a period preset or from/to, not both', {
      field: 'period',
    });
  if (q.from === undefined) throw new AppError('bad_request', 'from is required with to', { field: 'from' });
  const from = parseDate(q.from);
  if (from === null)
    throw new AppError('bad_request', 'from must be a date like 2026-04-01', { field: 'from' });
  const toDay = q.to === undefined ? startOfDay(now) : parseDate(q.to);
  if (toDay === null) throw new AppError('bad_request', 'to must be a date like 2026-04-30', { field: 'to' });
  if (from > toDay) throw new AppError('bad_request', 'from must not be after to', { field: 'from' });
  const to = toDay + DAY_MS;
  if (to - from > MAX_AGGREGATE_RANGE_DAYS * DAY_MS)
    throw new AppError('bad_request', `the range may span at most ${MAX_AGGREGATE_RANGE_DAYS} days`, {
      field: 'to',
    });
  return { preset: 'custom', from, to, granularity: granularityFor(from, to) };
}

export type CompareMode = 'day' | 'week' | 'month' | 'last_month' | 'custom';

export interface Comparison {
  mode: CompareMode;
  current: { from: number; to: number };
  previous: { from: number; to: number };
  /** True when the previous range covers only the span already elapsed in the current one. */
  likeForLike: boolean;
}

/**
 * Day, week and month: today / this week / this month so far, cut at the end of the current hour,
 * vs the same elapsed span of yesterday / the previous week / month (capped at that month's end).
 * Last month: the whole previous calendar month vs the whole month before it. Custom: the given range vs `compare_from`/`compare_to`, or the equally long range before.
 */
export function resolveComparison(
  mode: CompareMode,
  q: PeriodQuery & { compareFrom?: string | undefined; compareTo?: string | undefined },
  now: number,
): Comparison {
  const cut = startOfHour(now) + HOUR_MS;
  switch (mode) {
    case 'day': {
      // Like week and month: a whole yesterday against a part of today read as a fall every
      // morning. The cut is at most the end of today.
      const today = startOfDay(now);
      const to = Math.min(cut, today + DAY_MS);
      return {
        mode,
        current: { from: today, to },
        previous: { from: today - DAY_MS, to: to - DAY_MS },
        likeForLike: true,
      };
    }
    case 'week': {
      const from = startOfWeek(now);
      return {
        mode,
        current: { from, to: cut },
        previous: { from: from - 7 * DAY_MS, to: cut - 7 * DAY_MS },
        likeForLike: true,
      };
    }
    case 'month': {
      const from = startOfMonth(now);
      const prevFrom = addMonths(now, -1);
      return {
        mode,
        current: { from, to: cut },
        previous: { from: prevFrom, to: Math.min(prevFrom + (cut - from), from) },
        likeForLike: true,
      };
    }
    case 'last_month': {
      // Two whole calendar months: last month against the one before it.
      const from = addMonths(now, -1);
      const to = startOfMonth(now);
      return {
        mode,
        current: { from, to },
        previous: { from: addMonths(from, -1), to: from },
        likeForLike: false,
      };
    }
    case 'custom': {
      if (q.from === undefined)
        throw new AppError('bad_request', 'custom compare needs from and to', { field: 'from' });
      const current = resolvePeriod({ from: q.from, to: q.to }, now);
      let previous: { from: number; to: number };
      if (q.compareFrom === undefined && q.compareTo === undefined) {
        const span = current.to - current.from;
        previous = { from: current.from - span, to: current.from };
      } else {
        if (q.compareFrom === undefined || q.compareTo === undefined)
          throw new AppError('bad_request', 'give both compare_from and compare_to', {
            field: q.compareFrom === undefined ? 'compare_from' : 'compare_to',
          });
        const other = resolvePeriodFields(q.compareFrom, q.compareTo, now);
        previous = { from: other.from, to: other.to };
      }
      return { mode, current: { from: current.from, to: current.to }, previous, likeForLike: false };
    }
  }
}

function resolvePeriodFields(from: string, to: string, now: number): Period {
  try {
    return resolvePeriod({ from, to }, now);
  } catch (error) {
    if (error instanceof AppError && error.field)
      throw new AppError('bad_request', error.message.replace(/^(from|to)\b/, 'compare_$1'), {
        field: `compare_${error.field}`,
      });
    throw error;
  }
}

/** The bucket starts of a range at a granularity, oldest first: the zero-filled x axis. */
export function bucketStarts(from: number, to: number, granularity: Granularity): number[] {
  const step = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const first = granularity === 'hour' ? startOfHour(from) : startOfDay(from);
  const out: number[] = [];
  for (let t = first; t < to; t += step) out.push(t);
  return out;
}
