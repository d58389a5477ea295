/**
 * What every read route resolves from its parsed query before calling a query: the period (from
 * the analytics clock), the shared filters, the event-log filter and its range limit, and the
 * period as it goes on the wire.
 */
import { type EventFilter, sourceIdsMatching } from '../../analytics/event-filter.js';
import {
  type Filters,
  resolveBrandIds,
  resolveFilters,
  type TestMode,
  testFlags,
} from '../../analytics/filters.js';
import {
  analyticsClock,
  DAY_MS,
  type Period,
  type PeriodQuery,
  type Preset,
  parseInstant,
  resolvePeriod,
  startOfDay,
} from '../../analytics/periods.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

/** The longest range the event log (and its export) accepts. */
export const MAX_EVENT_RANGE_DAYS = 400;
/** The event log's default range: the last year up to the end of tomorrow (postbacks may be dated ahead). */
export const DEFAULT_EVENT_RANGE_DAYS = 365;

export function periodOf(q: PeriodQuery, defaultPreset: Preset = 'today'): Period {
  return resolvePeriod(q, analyticsClock.now(), defaultPreset);
}

export function periodOut(p: Period) {
  return {
    preset: p.preset,
    from: new Date(p.from).toISOString(),
    to: new Date(p.to).toISOString(),
    granularity: p.granularity,
  };
}

export async function readFilters(
  ctx: AppContext,
  q: {
    brand?: string[] | undefined;
    source?: string[] | undefined;
    affiliate?: string | undefined;
    test?: TestMode | undefined;
  },
): Promise<Filters> {
  return resolveFilters(ctx.db.kysely, q);
}

function instant(
  text: string | undefined,
  field: 'from' | 'to',
): { t: number; kind: 'date' | 'datetime' } | null {
  if (text === undefined) return null;
  const parsed = parseInstant(text);
  if (!parsed)
    throw new AppError(
      'bad_request',
      `${field} must be a date (2026-04-01) or a UTC date-time (2026-04-01T12:00:00Z)`,
      { field },
    );
  return parsed;
}

/**
 * The log's span from `from`/`to`: a date `to` is inclusive (the whole day), a date-time `to` the
 * exact end (exclusive). Without a `to`, the log runs to the end of tomorrow, or
 * MAX_EVENT_RANGE_DAYS after `from` when `from` is further back than that (a From alone looks
 * back; it is not an error). Without a `from`, DEFAULT_EVENT_RANGE_DAYS back.
 */
function eventRange(fromText: string | undefined, toText: string | undefined, now: number) {
  const fromI = instant(fromText, 'from');
  const toI = instant(toText, 'to');
  const to =
    toI === null
      ? Math.min(
          startOfDay(now) + 2 * DAY_MS,
          fromI === null ? Infinity : fromI.t + MAX_EVENT_RANGE_DAYS * DAY_MS,
        )
      : toI.kind === 'date'
        ? toI.t + DAY_MS
        : toI.t;
  const from =
    fromI === null ? Math.min(startOfDay(now) - DEFAULT_EVENT_RANGE_DAYS * DAY_MS, to - DAY_MS) : fromI.t;
  return { from, to };
}

export async function eventFilterOf(
  ctx: AppContext,
  q: {
    brand?: string[] | undefined;
    type?: string[] | undefined;
    period?: Preset | undefined;
    from?: string | undefined;
    to?: string | undefined;
    test: TestMode;
    source?: string | undefined;
    tag?: string | undefined;
  },
): Promise<EventFilter> {
  const now = analyticsClock.now();
  if (q.period !== undefined && (q.from !== undefined || q.to !== undefined))
    throw new AppError('bad_request', 'give a period or from/to, not both', { field: 'period' });
  const { from, to } =
    q.period !== undefined ? resolvePeriod({ period: q.period }, now) : eventRange(q.from, q.to, now);
  if (from > to) throw new AppError('bad_request', 'from must not be after to', { field: 'from' });
  if (to - from > MAX_EVENT_RANGE_DAYS * DAY_MS)
    throw new AppError('bad_request', `the event log covers at most ${MAX_EVENT_RANGE_DAYS} days at once`, {
      field: 'from',
    });
  const source = q.source?.trim();
  const tag = q.tag?.trim();
  return {
    from,
    to,
    brandIds: q.brand && q.brand.length > 0 ? await resolveBrandIds(ctx.db.kysely, q.brand) : null,
    sourceIds: source ? await sourceIdsMatching(ctx.db, source) : null,
    types: q.type && q.type.length > 0 ? [...new Set(q.type)] : null,
    testFlags: testFlags(q.test),
    tag: tag ? tag : null,
  };
}
