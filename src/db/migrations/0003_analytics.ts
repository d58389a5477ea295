/**
 * Read-side bookkeeping for the analytics API, written by the ingest transaction beside the
 * events (src/ingest/store-*.ts) and backfilled here from the events already stored:
 *  - rollup_daily: per day ('d') and month ('m') × brand × source × test × type × currency;
 *  - rollup_dim: per day/month × dimension value (tag, sub-ID, geo, sender+sheet) × affiliate ×
 *    test × type × currency, for the breakdowns the hourly rollup lacks;
 *  - broken_daily: broken-tag events per day × brand × source × affiliate × sub-ID × macro;
 *  - player_regs / orphan_ftds: each player's first registration, and the FTDs without one;
 *  - an index to read rollup_hourly by affiliate.
 * Forward-only: never edit after it has landed.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

const DAY_MS = 86_400_000;

export async function up(db: Kysely<unknown>, { dialect }: MigrationContext): Promise<void> {
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';

  await db.schema
    .createTable('rollup_daily')
    .addColumn('grain', 'text', (c) => c.notNull())
    .addColumn('bucket_start', bigint, (c) => c.notNull())
    .addColumn('brand_id', bigint, (c) => c.notNull())
    .addColumn('source_id', bigint, (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('event_count', bigint, (c) => c.notNull())
    .addColumn('amount_micros', bigint, (c) => c.notNull())
    .addColumn('broken_count', bigint, (c) => c.notNull())
    .addColumn('last_at', bigint, (c) => c.notNull())
    .addColumn('last_received_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_daily_pk', [
      'grain',
      'bucket_start',
      'brand_id',
      'source_id',
      'is_test',
      'type',
      'currency',
    ])
    .execute();
  await db.schema
    .createIndex('rollup_daily_source')
    .on('rollup_daily')
    .columns(['source_id', 'last_received_at'])
    .execute();

  await db.schema
    .createTable('rollup_dim')
    .addColumn('grain', 'text', (c) => c.notNull())
    .addColumn('bucket_start', bigint, (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('value2', 'text', (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('event_count', bigint, (c) => c.notNull())
    .addColumn('amount_micros', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_dim_pk', [
      'grain',
      'bucket_start',
      'dim',
      'value',
      'value2',
      'affiliate_id',
      'is_test',
      'type',
      'currency',
    ])
    .execute();

  await db.schema
    .createTable('broken_daily')
    .addColumn('day_start', bigint, (c) => c.notNull())
    .addColumn('brand_id', bigint, (c) => c.notNull())
    .addColumn('source_id', bigint, (c) => c.notNull())
    .addColumn('affiliate_id', 'text', (c) => c.notNull())
    .addColumn('sub_id', 'text', (c) => c.notNull())
    .addColumn('macro', 'text', (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('event_count', bigint, (c) => c.notNull())
    .addColumn('sample_tag', 'text', (c) => c.notNull())
    .addColumn('first_at', bigint, (c) => c.notNull())
    .addColumn('last_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('broken_daily_pk', [
      'day_start',
      'brand_id',
      'source_id',
      'affiliate_id',
      'sub_id',
      'macro',
      'is_test',
      'type',
    ])
    .execute();

  await db.schema
    .createTable('player_regs')
    .addColumn('external_uid', 'text', (c) => c.notNull())
    .addColumn('brand_id', bigint, (c) => c.notNull())
    .addColumn('source_id', bigint, (c) => c.notNull())
    .addColumn('first_reg_at', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('player_regs_pk', ['external_uid', 'brand_id', 'source_id'])
    .execute();

  await db.schema
    .createTable('orphan_ftds')
    .addColumn('event_id', bigint, (c) => c.primaryKey())
    .addColumn('brand_id', bigint, (c) => c.notNull())
    .addColumn('source_id', bigint, (c) => c.notNull())
    .addColumn('external_uid', 'text')
    .addColumn('occurred_at', bigint, (c) => c.notNull())
    .addColumn('is_test', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orphan_ftds_occurred').on('orphan_ftds').column('occurred_at').execute();
  await db.schema.createIndex('orphan_ftds_uid').on('orphan_ftds').column('external_uid').execute();

  await db.schema
    .createIndex('rollup_hourly_affiliate')
    .on('rollup_hourly')
    .columns(['affiliate_id', 'hour_start'])
    .execute();
  await db.schema
    .createIndex('rejections_brand_source')
    .on('rejections')
    .columns(['brand_slug', 'source_id'])
    .execute();

  await backfill(db, dialect === 'sqlite' ? 'sqlite' : 'postgres');
}

/** Fills the new tables from the events already stored (an existing installation or a demo). */
async function backfill(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const day = sql`(occurred_at / ${sql.lit(DAY_MS)}) * ${sql.lit(DAY_MS)}`;
  const month =
    dialect === 'sqlite'
      ? sql`(cast(strftime('%s', date(occurred_at / 1000, 'unixepoch', 'start of month')) as integer) * 1000)`
      : sql`(extract(epoch from date_trunc('month', to_timestamp(occurred_at / 1000.0) at time zone 'UTC'))::bigint * 1000)`;
  const currency = sql`coalesce(currency, '')`;
  const dimCurrency = sql`case when type = 'CPA' then coalesce(currency, '') else '' end`;
  const dimAmount = sql`case when type = 'CPA' then coalesce(amount_micros, 0) else 0 end`;

  for (const [grain, bucket] of [
    ['d', day],
    ['m', month],
  ] as const) {
    await sql`insert into rollup_daily (grain, bucket_start, brand_id, source_id, is_test, type, currency,
        event_count, amount_micros, broken_count, last_at, last_received_at)
      select ${grain}, ${bucket}, brand_id, source_id, is_test, type, ${currency},
        count(*), coalesce(sum(amount_micros), 0),
        sum(case when broken_fields is null then 0 else 1 end), max(occurred_at), max(received_at)
      from events group by 2, brand_id, source_id, is_test, type, 7`.execute(db);

    const dims = [
      ['tag', sql`coalesce(tracking_tag, '')`, sql`''`],
      ['sub', sql`coalesce(sub_id, '')`, sql`''`],
      ['geo', sql`coalesce(country, '')`, sql`''`],
      ['origin', sql`coalesce(sender, '')`, sql`coalesce(sheet, '')`],
    ] as const;
    for (const [dim, value, value2] of dims) {
      await sql`insert into rollup_dim (grain, bucket_start, dim, value, value2, affiliate_id, is_test, type,
          currency, event_count, amount_micros)
        select ${grain}, ${bucket}, ${dim}, ${value}, ${value2}, coalesce(affiliate_id, ''), is_test, type,
          ${dimCurrency}, count(*), sum(${dimAmount})
        from events group by 2, 4, 5, 6, is_test, type, 9`.execute(db);
    }
  }

  await sql`insert into broken_daily (day_start, brand_id, source_id, affiliate_id, sub_id, macro, is_test, type,
      event_count, sample_tag, first_at, last_at)
    select ${day}, brand_id, source_id, coalesce(affiliate_id, ''), coalesce(sub_id, ''),
      coalesce(broken_macro, ''), is_test, type, count(*),
      min(coalesce(tracking_tag, sub_id, affiliate_id, '')), min(occurred_at), max(occurred_at)
    from events where broken_fields is not null
    group by 1, brand_id, source_id, 4, 5, 6, is_test, type`.execute(db);

  await sql`insert into player_regs (external_uid, brand_id, source_id, first_reg_at)
    select external_uid, brand_id, source_id, min(occurred_at)
    from events where type = 'REG' and external_uid is not null
    group by external_uid, brand_id, source_id`.execute(db);

  await sql`insert into orphan_ftds (event_id, brand_id, source_id, external_uid, occurred_at, is_test)
    select e.id, e.brand_id, e.source_id, e.external_uid, e.occurred_at, e.is_test
    from events e
    where e.type = 'FTD' and not exists (
      select 1 from player_regs p
      where p.external_uid = e.external_uid and p.brand_id = e.brand_id and p.source_id = e.source_id
        and p.first_reg_at <= e.occurred_at)`.execute(db);
}
