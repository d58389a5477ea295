/**
 * Reshapes the read-side rollups so every breakdown reads few rows at 10 million events
 * (docs/performance.md has the before/after figures):
 *  - rollup_value: per day/ISO week/month × dimension value (tag, geo, sender+sheet) × test ×
 *    type × currency, without the affiliate, the dimension first in the key so a breakdown reads
 *    only its own rows;
 *  - rollup_affiliate: per day/week/month × affiliate × test × type × currency (Affiliates page);
 *  - rollup_affiliate_dim: per affiliate × dimension (sub-ID, tag) × day/month, the affiliate
 *    first in the key (one affiliate's breakdowns, stats by tag with an affiliate filter);
 *  - rollup_hour: per hour × brand × source × test × type × currency, without the affiliate
 *    (hourly series, hour edges of a period); unlike rollup_hourly it is folded in later, like
 *    the other derived rollups;
 *  - rollup_source: rollup_daily without the brand (totals, series and sources without a brand
 *    filter read a tenth of the rows);
 *  - rollup_broken: broken_daily with week and month grains too;
 *  - rollup_daily gains the week grain ('w', Monday 00:00 UTC).
 * rollup_dim and broken_daily are dropped: all they held is in the new tables. Everything is backfilled from the
 * existing rollups, not from the events. On SQLite the counter tables become WITHOUT ROWID: the
 * primary key is the table, so an upsert writes one B-tree instead of two and a range read needs
 * no second lookup per row.
 * rollup_hourly's key starts with the affiliate (its one use beside rollup_hour), so its index on
 * the affiliate goes: one B-tree less to write per postback. orphan_ftds' period index covers
 * what Deals counts (brand, source, test), so counting reads no table rows.
 * Forward-only: never edit after it has landed.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../connect.js';
import type { MigrationContext } from '../migrate.js';

const DAY = 86_400_000;
/** Monday 00:00 UTC of the week of a day start, in integer arithmetic (1970-01-01 was a Thursday). */
const weekOf = (col: string) => sql.raw(`(${col} - ((${col} / ${DAY} + 3) % 7) * ${DAY})`);
/** The first day of the month of a day start, in epoch ms. */
const monthOf = (col: string, dialect: DialectName) =>
  sql.raw(
    dialect === 'sqlite'
      ? `(cast(strftime('%s', date(${col} / 1000, 'unixepoch', 'start of month')) as integer) * 1000)`
      : `(extract(epoch from date_trunc('month', to_timestamp(${col} / 1000.0) at time zone 'UTC'))::bigint * 1000)`,
  );

interface TableDef {
  name: string;
  columns: Array<[name: string, type: 'int' | 'text']>;
  key: string[];
}

function columnsSql(def: TableDef, dialect: DialectName): string {
  const cols = def.columns.map(
    ([n, t]) => `${n} ${t === 'text' ? 'text' : dialect === 'sqlite' ? 'integer' : 'bigint'} not null`,
  );
  return `${cols.join(', ')}, primary key (${def.key.join(', ')})`;
}

async function createCounterTable(db: Kysely<unknown>, dialect: DialectName, def: TableDef): Promise<void> {
  const tail = dialect === 'sqlite' ? ' without rowid' : '';
  await sql.raw(`create table ${def.name} (${columnsSql(def, dialect)})${tail}`).execute(db);
}

/** SQLite: rebuilds an existing table as WITHOUT ROWID with the same columns and key. */
async function rebuildWithoutRowid(db: Kysely<unknown>, def: TableDef): Promise<void> {
  const names = def.columns.map(([n]) => n).join(', ');
  await sql.raw(`create table ${def.name}_new (${columnsSql(def, 'sqlite')}) without rowid`).execute(db);
  await sql.raw(`insert into ${def.name}_new (${names}) select ${names} from ${def.name}`).execute(db);
  await sql.raw(`drop table ${def.name}`).execute(db);
  await sql.raw(`alter table ${def.name}_new rename to ${def.name}`).execute(db);
}

const ROLLUP_HOURLY: TableDef = {
  name: 'rollup_hourly',
  columns: [
    ['hour_start', 'int'],
    ['brand_id', 'int'],
    ['source_id', 'int'],
    ['affiliate_id', 'text'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
    ['broken_count', 'int'],
  ],
  // The affiliate first: its reads need no second index, and every other hourly read has rollup_hour.
  key: ['affiliate_id', 'hour_start', 'brand_id', 'source_id', 'is_test', 'type', 'currency'],
};

const ROLLUP_DAILY: TableDef = {
  name: 'rollup_daily',
  columns: [
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['brand_id', 'int'],
    ['source_id', 'int'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
    ['broken_count', 'int'],
    ['last_at', 'int'],
    ['last_received_at', 'int'],
  ],
  key: ['grain', 'bucket_start', 'brand_id', 'source_id', 'is_test', 'type', 'currency'],
};

const ROLLUP_BROKEN: TableDef = {
  name: 'rollup_broken',
  columns: [
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['brand_id', 'int'],
    ['source_id', 'int'],
    ['affiliate_id', 'text'],
    ['sub_id', 'text'],
    ['macro', 'text'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['event_count', 'int'],
    ['sample_tag', 'text'],
    ['first_at', 'int'],
    ['last_at', 'int'],
  ],
  key: [
    'grain',
    'bucket_start',
    'brand_id',
    'source_id',
    'affiliate_id',
    'sub_id',
    'macro',
    'is_test',
    'type',
  ],
};

const ROLLUP_SOURCE: TableDef = {
  name: 'rollup_source',
  columns: [
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['source_id', 'int'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
    ['broken_count', 'int'],
    ['last_at', 'int'],
    ['last_received_at', 'int'],
  ],
  key: ['grain', 'bucket_start', 'source_id', 'is_test', 'type', 'currency'],
};

const PLAYER_REGS: TableDef = {
  name: 'player_regs',
  columns: [
    ['external_uid', 'text'],
    ['brand_id', 'int'],
    ['source_id', 'int'],
    ['first_reg_at', 'int'],
  ],
  key: ['external_uid', 'brand_id', 'source_id'],
};

const ROLLUP_VALUE: TableDef = {
  name: 'rollup_value',
  columns: [
    ['dim', 'text'],
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['value', 'text'],
    ['value2', 'text'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
  ],
  key: ['dim', 'grain', 'bucket_start', 'value', 'value2', 'is_test', 'type', 'currency'],
};

const ROLLUP_AFFILIATE: TableDef = {
  name: 'rollup_affiliate',
  columns: [
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['affiliate_id', 'text'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
  ],
  key: ['grain', 'bucket_start', 'affiliate_id', 'is_test', 'type', 'currency'],
};

const ROLLUP_AFFILIATE_DIM: TableDef = {
  name: 'rollup_affiliate_dim',
  columns: [
    ['affiliate_id', 'text'],
    ['dim', 'text'],
    ['grain', 'text'],
    ['bucket_start', 'int'],
    ['value', 'text'],
    ['value2', 'text'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
  ],
  key: ['affiliate_id', 'dim', 'grain', 'bucket_start', 'value', 'value2', 'is_test', 'type', 'currency'],
};

const ROLLUP_HOUR: TableDef = {
  name: 'rollup_hour',
  columns: [
    ['hour_start', 'int'],
    ['brand_id', 'int'],
    ['source_id', 'int'],
    ['is_test', 'int'],
    ['type', 'text'],
    ['currency', 'text'],
    ['event_count', 'int'],
    ['amount_micros', 'int'],
    ['broken_count', 'int'],
  ],
  key: ['hour_start', 'brand_id', 'source_id', 'is_test', 'type', 'currency'],
};

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  if (dialect === 'sqlite') {
    // Their indexes (rollup_hourly_affiliate, rollup_daily_source) go with the old tables.
    for (const def of [ROLLUP_HOURLY, ROLLUP_DAILY, PLAYER_REGS]) await rebuildWithoutRowid(db, def);
  } else {
    await sql`drop index rollup_daily_source`.execute(db);
    await sql`drop index rollup_hourly_affiliate`.execute(db);
    await sql`alter table rollup_hourly drop constraint rollup_hourly_pk`.execute(db);
    await sql
      .raw(
        `alter table rollup_hourly add constraint rollup_hourly_pk primary key (${ROLLUP_HOURLY.key.join(', ')})`,
      )
      .execute(db);
  }
  for (const def of [
    ROLLUP_VALUE,
    ROLLUP_AFFILIATE,
    ROLLUP_AFFILIATE_DIM,
    ROLLUP_HOUR,
    ROLLUP_BROKEN,
    ROLLUP_SOURCE,
  ])
    await createCounterTable(db, dialect, def);

  await sql`insert into rollup_daily (grain, bucket_start, brand_id, source_id, is_test, type, currency,
      event_count, amount_micros, broken_count, last_at, last_received_at)
    select 'w', ${weekOf('bucket_start')}, brand_id, source_id, is_test, type, currency,
      sum(event_count), sum(amount_micros), sum(broken_count), max(last_at), max(last_received_at)
    from rollup_daily where grain = 'd'
    group by 2, brand_id, source_id, is_test, type, currency`.execute(db);

  // rollup_source is rollup_daily without the brand, every grain. Source health reads each
  // source's latest event from it (rollup_daily's index for that is gone).
  await sql`create index rollup_source_last on rollup_source (source_id, last_received_at)`.execute(db);
  await sql`insert into rollup_source (grain, bucket_start, source_id, is_test, type, currency,
      event_count, amount_micros, broken_count, last_at, last_received_at)
    select grain, bucket_start, source_id, is_test, type, currency,
      sum(event_count), sum(amount_micros), sum(broken_count), max(last_at), max(last_received_at)
    from rollup_daily
    group by grain, bucket_start, source_id, is_test, type, currency`.execute(db);

  await sql`insert into rollup_broken (grain, bucket_start, brand_id, source_id, affiliate_id, sub_id, macro,
      is_test, type, event_count, sample_tag, first_at, last_at)
    select 'd', day_start, brand_id, source_id, affiliate_id, sub_id, macro, is_test, type,
      event_count, sample_tag, first_at, last_at
    from broken_daily`.execute(db);
  for (const [grain, bucket] of [
    ['w', weekOf('day_start')],
    ['m', monthOf('day_start', dialect)],
  ] as const)
    await sql`insert into rollup_broken (grain, bucket_start, brand_id, source_id, affiliate_id, sub_id, macro,
        is_test, type, event_count, sample_tag, first_at, last_at)
      select ${grain}, ${bucket}, brand_id, source_id, affiliate_id, sub_id, macro, is_test, type,
        sum(event_count), min(sample_tag), min(first_at), max(last_at)
      from broken_daily
      group by 2, brand_id, source_id, affiliate_id, sub_id, macro, is_test, type`.execute(db);

  await sql`insert into rollup_value (dim, grain, bucket_start, value, value2, is_test, type, currency,
      event_count, amount_micros)
    select dim, grain, bucket_start, value, value2, is_test, type, currency, sum(event_count), sum(amount_micros)
    from rollup_dim where dim in ('tag', 'geo', 'origin')
    group by dim, grain, bucket_start, value, value2, is_test, type, currency`.execute(db);
  await sql`insert into rollup_value (dim, grain, bucket_start, value, value2, is_test, type, currency,
      event_count, amount_micros)
    select dim, 'w', ${weekOf('bucket_start')}, value, value2, is_test, type, currency,
      sum(event_count), sum(amount_micros)
    from rollup_dim where grain = 'd' and dim in ('tag', 'geo', 'origin')
    group by dim, 3, value, value2, is_test, type, currency`.execute(db);

  // 'origin' rows partition every event exactly once per affiliate: the affiliate totals.
  await sql`insert into rollup_affiliate (grain, bucket_start, affiliate_id, is_test, type, currency,
      event_count, amount_micros)
    select grain, bucket_start, affiliate_id, is_test, type, currency, sum(event_count), sum(amount_micros)
    from rollup_dim where dim = 'origin'
    group by grain, bucket_start, affiliate_id, is_test, type, currency`.execute(db);
  await sql`insert into rollup_affiliate (grain, bucket_start, affiliate_id, is_test, type, currency,
      event_count, amount_micros)
    select 'w', ${weekOf('bucket_start')}, affiliate_id, is_test, type, currency,
      sum(event_count), sum(amount_micros)
    from rollup_dim where dim = 'origin' and grain = 'd'
    group by 2, affiliate_id, is_test, type, currency`.execute(db);

  await sql`insert into rollup_affiliate_dim (affiliate_id, dim, grain, bucket_start, value, value2, is_test,
      type, currency, event_count, amount_micros)
    select affiliate_id, dim, grain, bucket_start, value, value2, is_test, type, currency,
      event_count, amount_micros
    from rollup_dim where dim in ('sub', 'tag')`.execute(db);

  // rollup_hourly is written with the events; rollup_hour is folded in later like the rest. Events
  // still queued for folding are in the first but must not be in the second yet: the folder adds them.
  await sql`insert into rollup_hour (hour_start, brand_id, source_id, is_test, type, currency,
      event_count, amount_micros, broken_count)
    select hour_start, brand_id, source_id, is_test, type, currency,
      sum(event_count), sum(amount_micros), sum(broken_count)
    from rollup_hourly
    group by hour_start, brand_id, source_id, is_test, type, currency`.execute(db);
  await sql`update rollup_hour set
      event_count = rollup_hour.event_count - q.n,
      amount_micros = rollup_hour.amount_micros - q.amount,
      broken_count = rollup_hour.broken_count - q.broken
    from (
      select (e.occurred_at / 3600000) * 3600000 as hour_start, e.brand_id, e.source_id, e.is_test, e.type,
        coalesce(e.currency, '') as currency, count(*) as n, coalesce(sum(e.amount_micros), 0) as amount,
        sum(case when e.broken_fields is null then 0 else 1 end) as broken
      from rollup_queue rq join events e on e.id = rq.event_id
      group by 1, e.brand_id, e.source_id, e.is_test, e.type, 6
    ) q
    where rollup_hour.hour_start = q.hour_start and rollup_hour.brand_id = q.brand_id
      and rollup_hour.source_id = q.source_id and rollup_hour.is_test = q.is_test
      and rollup_hour.type = q.type and rollup_hour.currency = q.currency`.execute(db);
  await sql`delete from rollup_hour where event_count = 0`.execute(db);

  // Deals counts orphan FTDs per brand × source over a period: from the index alone.
  await sql`drop index orphan_ftds_occurred`.execute(db);
  await sql`create index orphan_ftds_period on orphan_ftds (occurred_at, is_test, brand_id, source_id)`.execute(
    db,
  );

  await sql`drop table rollup_dim`.execute(db);
  await sql`drop table broken_daily`.execute(db);
}
