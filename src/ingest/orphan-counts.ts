/**
 * rollup_orphan: how many FTDs are flagged orphan, per brand × source × test flag and UTC day,
 * ISO week (Monday 00:00 UTC) and calendar month, so Deal Audit counts a period's orphans from a
 * few rows whatever their number. The folder moves a count by one per flag it sets or clears
 * (`orphanCountRows`); a brand merge rebuilds the merged brand's rows from orphan_ftds
 * (`recountOrphans`), since clearing flags there happens in SQL.
 */
import { type Kysely, sql } from 'kysely';
import { addMonths, DAY_MS, startOfWeek } from '../analytics/periods.js';
import type { DialectName } from '../db/connect.js';
import type { CounterTable } from '../db/dialect.js';
import type { Database } from '../db/schema.js';

export const ORPHAN_COUNTS: CounterTable = {
  table: 'rollup_orphan',
  columns: [
    { name: 'grain', kind: 'text', merge: 'key' },
    { name: 'bucket_start', kind: 'int', merge: 'key' },
    { name: 'brand_id', kind: 'int', merge: 'key' },
    { name: 'source_id', kind: 'int', merge: 'key' },
    { name: 'is_test', kind: 'int', merge: 'key' },
    { name: 'orphan_count', kind: 'int', merge: 'add' },
  ],
};

/** One FTD flagged (+1) or cleared (-1). */
export interface OrphanChange {
  occurredAt: number;
  brandId: number;
  sourceId: number;
  isTest: number;
  delta: 1 | -1;
}

/** The counter rows (day, week and month) the changes add up to, one per key. Pure. */
export function orphanCountRows(
  changes: ReadonlyArray<OrphanChange>,
): Array<[string, number, number, number, number, number]> {
  const sums = new Map<string, [string, number, number, number, number, number]>();
  for (const c of changes) {
    const day = Math.floor(c.occurredAt / DAY_MS) * DAY_MS;
    for (const [grain, start] of [
      ['d', day],
      ['w', startOfWeek(day)],
      ['m', addMonths(day, 0)],
    ] as const) {
      const key = `${grain}|${start}|${c.brandId}|${c.sourceId}|${c.isTest}`;
      const row = sums.get(key);
      if (row) row[5] += c.delta;
      else sums.set(key, [grain, start, c.brandId, c.sourceId, c.isTest, c.delta]);
    }
  }
  return [...sums.values()].filter((r) => r[5] !== 0);
}

/** Rebuilds the count rows of `brandId` from its orphan_ftds rows (inside the caller's transaction). */
export async function recountOrphans(
  trx: Kysely<Database>,
  dialect: DialectName,
  brandId: number,
): Promise<void> {
  await sql`delete from rollup_orphan where brand_id = ${brandId}`.execute(trx);
  const day = sql.raw(`occurred_at - occurred_at % ${DAY_MS}`);
  await sql`insert into rollup_orphan (grain, bucket_start, brand_id, source_id, is_test, orphan_count)
    select 'd', ${day}, brand_id, source_id, is_test, count(*) from orphan_ftds
    where brand_id = ${brandId} group by 2, 3, 4, 5`.execute(trx);
  const week = sql.raw(`bucket_start - ((bucket_start / ${DAY_MS} + 3) % 7) * ${DAY_MS}`);
  const month = sql.raw(
    dialect === 'sqlite'
      ? `cast(strftime('%s', date(bucket_start / 1000, 'unixepoch', 'start of month')) as integer) * 1000`
      : `extract(epoch from date_trunc('month', to_timestamp(bucket_start / 1000.0) at time zone 'UTC'))::bigint * 1000`,
  );
  for (const [grain, start] of [
    ['w', week],
    ['m', month],
  ] as const)
    await sql`insert into rollup_orphan (grain, bucket_start, brand_id, source_id, is_test, orphan_count)
      select ${sql.lit(grain)}, ${start}, brand_id, source_id, is_test, sum(orphan_count) from rollup_orphan
      where grain = 'd' and brand_id = ${brandId} group by 2, 3, 4, 5`.execute(trx);
}
