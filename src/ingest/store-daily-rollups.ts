/**
 * Read-side rollups written in the batch's transaction, beside the hourly rollup: per day and per
 * month × brand × source (rollup_daily), per day and month × dimension value × affiliate
 * (rollup_dim: tag, sub-ID, geo, sender+sheet) and broken-tag groups per day (broken_daily).
 * They let every figure of the analytics API be read without scanning events. Each table gets
 * one multi-row statement per batch; nothing here runs per event against the database.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../db/connect.js';
import { type CounterTable, upsertCounters } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { FoldedEvent } from './folded-event.js';

const DAY_MS = 86_400_000;

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

const DIM: CounterTable = {
  table: 'rollup_dim',
  columns: [
    text('grain'),
    int('bucket_start'),
    text('dim'),
    text('value'),
    text('value2'),
    text('affiliate_id'),
    int('is_test'),
    text('type'),
    text('currency'),
    int('event_count', 'add'),
    int('amount_micros', 'add'),
  ],
};

const BROKEN: CounterTable = {
  table: 'broken_daily',
  columns: [
    int('day_start'),
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
    const key = row.slice(0, this.keyLength).join('\u0001');
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

function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Adds the batch's newly stored events to rollup_daily, rollup_dim and broken_daily. */
export async function storeDailyRollups(
  trx: Kysely<Database>,
  dialect: DialectName,
  events: FoldedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const daily = new Accumulator(DAILY, 7);
  const dim = new Accumulator(DIM, 9);
  const broken = new Accumulator(BROKEN, 8);
  for (const e of events) {
    const day = Math.floor(e.occurred_at / DAY_MS) * DAY_MS;
    const month = monthStart(e.occurred_at);
    const currency = e.currency ?? '';
    const amount = e.amount_micros ?? 0;
    const isBroken = e.broken_fields ? 1 : 0;
    const affiliate = e.affiliate_id ?? '';
    const cpa = e.type === 'CPA';
    const dimCurrency = cpa ? currency : '';
    const dimAmount = cpa ? amount : 0;
    for (const [grain, bucket] of [
      ['d', day],
      ['m', month],
    ] as const) {
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
      const tail = [affiliate, e.is_test, e.type, dimCurrency, 1, dimAmount];
      dim.add([grain, bucket, 'tag', e.tracking_tag ?? '', '', ...tail]);
      dim.add([grain, bucket, 'sub', e.sub_id ?? '', '', ...tail]);
      dim.add([grain, bucket, 'geo', e.country ?? '', '', ...tail]);
      dim.add([grain, bucket, 'origin', e.sender ?? '', e.sheet ?? '', ...tail]);
    }
    if (isBroken) {
      broken.add([
        day,
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
    }
  }
  await upsertCounters(trx, dialect, DAILY, [...daily.rows.values()]);
  await upsertCounters(trx, dialect, DIM, [...dim.rows.values()]);
  await upsertCounters(trx, dialect, BROKEN, [...broken.rows.values()]);
}
