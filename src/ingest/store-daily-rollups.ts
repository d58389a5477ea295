/**
 * The derived rollups, added by the folder (derived-rollups.ts) for thousands of events at a time:
 * per hour × brand × source (rollup_hour); per day, ISO week and month × brand × source
 * (rollup_daily) and × source alone (rollup_source); per day/week/month × dimension value — tag,
 * geo, sender+sheet — (rollup_value) and × affiliate (rollup_affiliate); per affiliate × dimension
 * value × day/month (rollup_affiliate_dim: sub-ID, tag); broken-tag groups per
 * day/week/month (rollup_broken). They let every figure of the analytics API be read without scanning events.
 * The events are summed in memory first; each table then gets one statement per 5,000 rows.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { type CounterTable, upsertCounters } from '../db/dialect.js';
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
  constructor(
    private readonly spec: CounterTable,
    private readonly keyLength: number,
  ) {}

  add(row: Row): void {
    let key = `${row[0]}`;
    for (let i = 1; i < this.keyLength; i++) key += `\u0001${row[i]}`;
    const seen = this.rows.get(key);
    if (!seen) {
      this.rows.set(key, row);
      return;
    }
    for (let i = this.keyLength; i < row.length; i++) {
      const merge = this.spec.columns[i]?.merge;
      const a = seen[i] as string | number;
      const b = row[i] as string | number;
      if (merge === 'add') seen[i] = (a as number) + (b as number);
      else if (merge === 'max') seen[i] = a >= b ? a : b;
      else if (merge === 'min') seen[i] = a <= b ? a : b;
    }
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

/** Adds folded events to every derived counter table. */
export async function storeDailyRollups(
  trx: Kysely<Database>,
  dialect: DialectName,
  events: FoldedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const hour = new Accumulator(HOUR, 6);
  const daily = new Accumulator(DAILY, 7);
  const value = new Accumulator(VALUE, 8);
  const affiliates = new Accumulator(AFFILIATE, 6);
  const affiliateDims = new Accumulator(AFFILIATE_DIM, 9);
  const sources = new Accumulator(SOURCE, 6);
  const broken = new Accumulator(BROKEN, 9);
  for (const e of events) {
    const day = Math.floor(e.occurred_at / DAY_MS) * DAY_MS;
    const buckets = [
      ['d', day],
      ['w', weekStart(day)],
      ['m', monthStart(e.occurred_at)],
    ] as const;
    const currency = e.currency ?? '';
    const amount = e.amount_micros ?? 0;
    const isBroken = e.broken_fields ? 1 : 0;
    const affiliate = e.affiliate_id ?? '';
    const cpa = e.type === 'CPA';
    const dimCurrency = cpa ? currency : '';
    const dimAmount = cpa ? amount : 0;
    const tag = e.tracking_tag ?? '';
    const geo = e.country ?? '';
    const sender = e.sender ?? '';
    const sheet = e.sheet ?? '';
    hour.add([
      Math.floor(e.occurred_at / HOUR_MS) * HOUR_MS,
      e.brand_id,
      e.source_id,
      e.is_test,
      e.type,
      currency,
      1,
      amount,
      isBroken,
    ]);
    for (const [grain, bucket] of buckets) {
      daily.add([
        grain,
        bucket,
        e.brand_id,
        e.source_id,
        e.is_test,
        e.type,
        currency,
        1,
        amount,
        isBroken,
        e.occurred_at,
        e.received_at,
      ]);
      sources.add([
        grain,
        bucket,
        e.source_id,
        e.is_test,
        e.type,
        currency,
        1,
        amount,
        isBroken,
        e.occurred_at,
        e.received_at,
      ]);
      if (isBroken)
        broken.add([
          grain,
          bucket,
          e.brand_id,
          e.source_id,
          affiliate,
          e.sub_id ?? '',
          e.broken_macro ?? '',
          e.is_test,
          e.type,
          1,
          e.tracking_tag ?? e.sub_id ?? e.affiliate_id ?? '',
          e.occurred_at,
          e.occurred_at,
        ]);
      const tail = [e.is_test, e.type, dimCurrency, 1, dimAmount];
      value.add(['tag', grain, bucket, tag, '', ...tail]);
      value.add(['geo', grain, bucket, geo, '', ...tail]);
      value.add(['origin', grain, bucket, sender, sheet, ...tail]);
      affiliates.add([grain, bucket, affiliate, ...tail]);
      // One affiliate's breakdowns are small: days and months are enough.
      if (grain !== 'w') {
        affiliateDims.add([affiliate, 'sub', grain, bucket, e.sub_id ?? '', '', ...tail]);
        affiliateDims.add([affiliate, 'tag', grain, bucket, tag, '', ...tail]);
      }
    }
  }
  for (const [spec, acc] of [
    [HOUR, hour],
    [DAILY, daily],
    [SOURCE, sources],
    [VALUE, value],
    [AFFILIATE, affiliates],
    [AFFILIATE_DIM, affiliateDims],
    [BROKEN, broken],
  ] as const)
    await upsertCounters(trx, dialect, spec, [...acc.rows.values()]);
}
