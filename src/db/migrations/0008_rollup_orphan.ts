/**
 * Orphan-FTD counts per brand × source × day, ISO week and month (`rollup_orphan`), so Deal Audit
 * reads a few counter rows per period instead of counting every orphan in it: at YTD after a few
 * hundred thousand orphans that count dominated the page. The folder adds one per new orphan and
 * takes one off when a late registration clears it. Backfilled from orphan_ftds (SQL only: the
 * migration does not depend on application code that may change later).
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

const DAY = 86_400_000;

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const sqlite = ctx.dialect === 'sqlite';
  const int = sqlite ? 'integer' : 'bigint';
  await sql
    .raw(
      `create table rollup_orphan (grain text not null, bucket_start ${int} not null,
        brand_id ${int} not null, source_id ${int} not null, is_test ${int} not null,
        orphan_count ${int} not null,
        primary key (grain, bucket_start, brand_id, source_id, is_test))${sqlite ? ' without rowid' : ''}`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into rollup_orphan (grain, bucket_start, brand_id, source_id, is_test, orphan_count)
       select 'd', occurred_at - occurred_at % ${DAY}, brand_id, source_id, is_test, count(*)
       from orphan_ftds group by 2, 3, 4, 5`,
    )
    .execute(db);
  // Monday 00:00 UTC of a day start (1970-01-01 was a Thursday), and the first of its month.
  const week = `bucket_start - ((bucket_start / ${DAY} + 3) % 7) * ${DAY}`;
  const month = sqlite
    ? `cast(strftime('%s', date(bucket_start / 1000, 'unixepoch', 'start of month')) as integer) * 1000`
    : `extract(epoch from date_trunc('month', to_timestamp(bucket_start / 1000.0) at time zone 'UTC'))::bigint * 1000`;
  for (const [grain, start] of [
    ['w', week],
    ['m', month],
  ] as const)
    await sql
      .raw(
        `insert into rollup_orphan (grain, bucket_start, brand_id, source_id, is_test, orphan_count)
         select '${grain}', ${start}, brand_id, source_id, is_test, sum(orphan_count)
         from rollup_orphan where grain = 'd' group by 2, 3, 4, 5`,
      )
      .execute(db);
}
