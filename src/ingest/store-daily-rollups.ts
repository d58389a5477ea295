/**
 * The derived rollups, added by the folder (derived-rollups.ts) for thousands of events at a time:
 * per hour × brand × source (rollup_hour); per day, ISO week and month × brand × source
 * (rollup_daily) and × source alone (rollup_source); per day/week/month × dimension value — tag,
 * geo, sender+sheet — (rollup_value) and × affiliate (rollup_affiliate); per affiliate × dimension
 * value × day/month (rollup_affiliate_dim: sub-ID, tag); broken-tag groups per
 * day/week/month (rollup_broken). They let every figure of the analytics API be read without scanning events.
 * The events are summed in memory first, each event once per table at its finest grain (hour, or
 * day); the coarser grains and the tables without a brand are then summed from those sums, which
 * are far fewer than the events. Each table then gets one statement per 5,000 rows.
 */
import type { Kysely } from 'kysely';
import { type CounterTable, upsertCounters, type WriteTarget } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { FoldedEvent } from './folded-event.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const int = (name: string, merge: 'key' | 'add' | 'max' | 'min' = 'key') => ({
  name,
  kind: 'int' as const,
  merge,
});
const text = (name: string, merge: 'key' | 'min' = 'key') => ({ name, kind: 'text' as const, merge });

const DAILY: CounterTable = {
  table: 'rollup_daily',
  columns: [
    text('grain'),
    int('bucket_start'),
    int('brand_id'),
    int('source_id'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
    int('broken_count', 'add'),
    int('last_at', 'max'),
    int('last_received_at', 'max'),
  ],
};

const VALUE: CounterTable = {
  table: 'rollup_value',
  columns: [
    text('dim'),
    text('grain'),
    int('bucket_start'),
    text('value'),
    text('value2'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
  ],
};

const AFFILIATE: CounterTable = {
  table: 'rollup_affiliate',
  columns: [
    text('grain'),
    int('bucket_start'),
    text('affiliate_id'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
  ],
};

const AFFILIATE_DIM: CounterTable = {
  table: 'rollup_affiliate_dim',
  columns: [
    text('affiliate_id'),
    text('dim'),
    text('grain'),
    int('bucket_start'),
    text('value'),
    text('value2'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
  ],
};

const HOUR: CounterTable = {
  table: 'rollup_hour',
  columns: [
    int('hour_start'),
    int('brand_id'),
    int('source_id'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
    int('broken_count', 'add'),
  ],
};

const SOURCE: CounterTable = {
  table: 'rollup_source',
  columns: [
    text('grain'),
    int('bucket_start'),
    int('source_id'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
    int('broken_count', 'add'),
    int('last_at', 'max'),
    int('last_received_at', 'max'),
  ],
};

const BROKEN: CounterTable = {
  table: 'rollup_broken',
  columns: [
    text('grain'),
    int('bucket_start'),
    int('brand_id'),
    int('source_id'),
    text('affiliate_id'),
    text('sub_id'),
    text('macro'),
    int('is_test'),
    text('type'),
    int('event_count', 'add'),
    text('sample_tag', 'min'),
    int('first_at', 'min'),
    int('last_at', 'max'),
  ],
};

type Row = Array<string | number>;

/** Sums rows by their first `keyLength` cells; later cells merge as the table's columns say. */
class Accumulator {
  readonly rows = new Map<string, Row>();
  private readonly merges: ReadonlyArray<'key' | 'add' | 'max' | 'min'>;
  constructor(
    spec: CounterTable,
    private readonly keyLength: number,
  ) {
    this.merges = spec.columns.map((c) => c.merge);
  }

  /** Takes ownership of `row` when its key is new: callers pass a fresh array. */
  add(row: Row): void {
    let key = `${row[0]}`;
    for (let i = 1; i < this.keyLength; i++) key += `\u0001${row[i]}`;
    const seen = this.rows.get(key);
    if (!seen) {
      this.rows.set(key, row);
      return;
    }
    for (let i = this.keyLength; i < row.length; i++) {
      const merge = this.merges[i];
      const a = seen[i] as string | number;
      const b = row[i] as string | number;
      if (merge === 'add') seen[i] = (a as number) + (b as number);
      // Not Math.max/min: a merged cell may be text (rollup_broken's sample tag).
      // biome-ignore lint/complexity/useMathMinMax: text cells compare as strings
      else if (merge === 'max') seen[i] = a >= b ? a : b;
      // biome-ignore lint/complexity/useMathMinMax: text cells compare as strings
      else if (merge === 'min') seen[i] = a <= b ? a : b;
    }
  }

  /** Adds every row of `from`, each rewritten by `map` into a new array. */
  addAll(from: Accumulator, map: (row: Row) => Row): void {
    for (const row of from.rows.values()) this.add(map(row));
  }

  values(): Row[] {
    return [...this.rows.values()];
  }
}

/** Monday 00:00 UTC of a day start's week (1970-01-01 was a Thursday). */
function weekStart(day: number): number {
  return day - ((Math.floor(day / DAY_MS) + 3) % 7) * DAY_MS;
}

function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * Adds each day-grain row of `day` (bucket start at cell `at`, the grain in the cell before it)
 * again as week and/or month rows. The targets may be `day` itself: its day rows are read first.
 */
function addCoarser(
  day: Accumulator,
  at: number,
  targets: ReadonlyArray<readonly ['w' | 'm', Accumulator]>,
): void {
  const months = new Map<number, number>();
  for (const row of [...day.rows.values()]) {
    if (row[at - 1] !== 'd') continue;
    const start = row[at] as number;
    let month = months.get(start);
    if (month === undefined) {
      month = monthStart(start);
      months.set(start, month);
    }
    for (const [grain, target] of targets) {
      const copy = row.slice();
      copy[at - 1] = grain;
      copy[at] = grain === 'w' ? weekStart(start) : month;
      target.add(copy);
    }
  }
}

/** The hourly sums with the latest times, from which rollup_hour, rollup_daily and rollup_source are summed. */
const HOUR_FULL: CounterTable = {
  table: 'rollup_hour',
  columns: [...HOUR.columns, int('last_at', 'max'), int('last_received_at', 'max')],
};

/** Every row each derived table gets for `events`, summed. Pure: the caller writes them. */
export function foldRollupRows(events: ReadonlyArray<FoldedEvent>): Array<[CounterTable, Row[]]> {
  const hourly = new Accumulator(HOUR_FULL, 6);
  const value = new Accumulator(VALUE, 8);
  const affiliates = new Accumulator(AFFILIATE, 6);
  const affiliateDims = new Accumulator(AFFILIATE_DIM, 9);
  const broken = new Accumulator(BROKEN, 9);
  for (const e of events) {
    const day = Math.floor(e.occurred_at / DAY_MS) * DAY_MS;
    const currency = e.currency ?? '';
    const amount = e.amount_micros ?? 0;
    const isBroken = e.broken_fields ? 1 : 0;
    const affiliate = e.affiliate_id ?? '';
    const cpa = e.type === 'CPA';
    const dimCurrency = cpa ? currency : '';
    const dimAmount = cpa ? amount : 0;
    const tag = e.tracking_tag ?? '';
    const isTest = e.is_test;
    const type = e.type;
    hourly.add([
      Math.floor(e.occurred_at / HOUR_MS) * HOUR_MS,
      e.brand_id,
      e.source_id,
      isTest,
      type,
      currency,
      1,
      amount,
      isBroken,
      e.occurred_at,
      e.received_at,
    ]);
    value.add(['tag', 'd', day, tag, '', isTest, type, dimCurrency, 1, dimAmount]);
    value.add(['geo', 'd', day, e.country ?? '', '', isTest, type, dimCurrency, 1, dimAmount]);
    value.add(['origin', 'd', day, e.sender ?? '', e.sheet ?? '', isTest, type, dimCurrency, 1, dimAmount]);
    affiliates.add(['d', day, affiliate, isTest, type, dimCurrency, 1, dimAmount]);
    affiliateDims.add([
      affiliate,
      'sub',
      'd',
      day,
      e.sub_id ?? '',
      '',
      isTest,
      type,
      dimCurrency,
      1,
      dimAmount,
    ]);
    affiliateDims.add([affiliate, 'tag', 'd', day, tag, '', isTest, type, dimCurrency, 1, dimAmount]);
    if (isBroken)
      broken.add([
        'd',
        day,
        e.brand_id,
        e.source_id,
        affiliate,
        e.sub_id ?? '',
        e.broken_macro ?? '',
        isTest,
        type,
        1,
        e.tracking_tag ?? e.sub_id ?? e.affiliate_id ?? '',
        e.occurred_at,
        e.occurred_at,
      ]);
  }

  const hour = new Accumulator(HOUR, 6);
  hour.addAll(hourly, (r) => r.slice(0, HOUR.columns.length));
  const daily = new Accumulator(DAILY, 7);
  daily.addAll(hourly, (r) => ['d', Math.floor((r[0] as number) / DAY_MS) * DAY_MS, ...r.slice(1)]);
  addCoarser(daily, 1, [
    ['w', daily],
    ['m', daily],
  ]);
  const sources = new Accumulator(SOURCE, 6);
  // rollup_daily without the brand (its third cell).
  sources.addAll(daily, (r) => [r[0] as string, r[1] as number, ...r.slice(3)]);
  addCoarser(value, 2, [
    ['w', value],
    ['m', value],
  ]);
  addCoarser(affiliates, 1, [
    ['w', affiliates],
    ['m', affiliates],
  ]);
  // One affiliate's breakdowns are small: days and months are enough.
  addCoarser(affiliateDims, 3, [['m', affiliateDims]]);
  addCoarser(broken, 1, [
    ['w', broken],
    ['m', broken],
  ]);
  return [
    [HOUR, hour.values()],
    [DAILY, daily.values()],
    [SOURCE, sources.values()],
    [VALUE, value.values()],
    [AFFILIATE, affiliates.values()],
    [AFFILIATE_DIM, affiliateDims.values()],
    [BROKEN, broken.values()],
  ];
}

/** Adds folded events to every derived counter table. */
export async function storeDailyRollups(
  trx: Kysely<Database>,
  target: WriteTarget,
  events: FoldedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  for (const [spec, rows] of foldRollupRows(events)) await upsertCounters(trx, target, spec, rows);
}
