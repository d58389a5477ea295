/**
 * Moves everything stored under one brand id to another, inside the merge's transaction: the
 * events themselves, the hourly rollup and every derived table keyed by brand (daily/monthly
 * rollups, broken-tag groups, players' first registrations, orphan FTDs). Counter rows whose key
 * already exists under the target are summed into it (or kept at the min/max, as the ingest path
 * merges them), so every table stays equal to a recount of the events. FTDs that the merged
 * brand's registrations now explain stop being orphans, and the orphan counts (rollup_orphan) of
 * the merged brand are recounted from what stays flagged. rollup_source, rollup_value,
 * rollup_affiliate and rollup_affiliate_dim have no brand column: untouched.
 * Must run under the brands lock and the derived-rollups lock: nothing may write these rows meanwhile.
 */
import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../db/connect.js';
import type { CounterTable } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { recountOrphans } from '../ingest/orphan-counts.js';

const key = (name: string, kind: 'int' | 'text' = 'int') => ({ name, kind, merge: 'key' as const });
const add = (name: string) => ({ name, kind: 'int' as const, merge: 'add' as const });
const max = (name: string) => ({ name, kind: 'int' as const, merge: 'max' as const });
const min = (name: string, kind: 'int' | 'text' = 'int') => ({ name, kind, merge: 'min' as const });

/** Every table keyed by brand_id whose rows are counters; kept in step with the ingest path's specs. */
export const BRAND_COUNTER_TABLES: readonly CounterTable[] = [
  {
    table: 'rollup_hourly',
    columns: [
      key('hour_start'),
      key('brand_id'),
      key('source_id'),
      key('affiliate_id', 'text'),
      key('is_test'),
      key('type', 'text'),
      key('currency', 'text'),
      add('event_count'),
      add('amount_micros'),
      add('broken_count'),
    ],
  },
  {
    table: 'rollup_hour',
    columns: [
      key('hour_start'),
      key('brand_id'),
      key('source_id'),
      key('is_test'),
      key('type', 'text'),
      key('currency', 'text'),
      add('event_count'),
      add('amount_micros'),
      add('broken_count'),
    ],
  },
  {
    table: 'rollup_daily',
    columns: [
      key('grain', 'text'),
      key('bucket_start'),
      key('brand_id'),
      key('source_id'),
      key('is_test'),
      key('type', 'text'),
      key('currency', 'text'),
      add('event_count'),
      add('amount_micros'),
      add('broken_count'),
      max('last_at'),
      max('last_received_at'),
    ],
  },
  {
    table: 'rollup_broken',
    columns: [
      key('grain', 'text'),
      key('bucket_start'),
      key('brand_id'),
      key('source_id'),
      key('affiliate_id', 'text'),
      key('sub_id', 'text'),
      key('macro', 'text'),
      key('is_test'),
      key('type', 'text'),
      add('event_count'),
      min('sample_tag', 'text'),
      min('first_at'),
      max('last_at'),
    ],
  },
  {
    table: 'player_regs',
    columns: [key('external_uid', 'text'), key('brand_id'), key('source_id'), min('first_reg_at')],
  },
];

/**
 * Copies a table's rows of brand `from` onto brand `to` (adding into rows with the same key),
 * then deletes the originals. Names come from the specs above only, never from input.
 */
async function moveCounterRows(
  trx: Kysely<Database>,
  dialect: DialectName,
  spec: CounterTable,
  from: number,
  to: number,
): Promise<void> {
  const names = spec.columns.map((c) => c.name);
  const picks = names.map((n) => (n === 'brand_id' ? sql.lit(to) : sql.ref(n)));
  const keys = spec.columns.filter((c) => c.merge === 'key').map((c) => sql.ref(c.name));
  const least = dialect === 'sqlite' ? 'min' : 'least';
  const greatest = dialect === 'sqlite' ? 'max' : 'greatest';
  const sets = spec.columns
    .filter((c) => c.merge !== 'key')
    .map((c) => {
      const cur = sql.ref(`${spec.table}.${c.name}`);
      const inc = sql.ref(`excluded.${c.name}`);
      const target = sql.ref(c.name);
      if (c.merge === 'add') return sql`${target} = ${cur} + ${inc}`;
      const fn = sql.raw(c.merge === 'max' ? greatest : least);
      return sql`${target} = ${fn}(${cur}, ${inc})`;
    });
  const table = sql.table(spec.table);
  // The WHERE clause also keeps SQLite from reading ON CONFLICT as a join constraint.
  await sql`insert into ${table} (${sql.join(names.map((n) => sql.ref(n)))})
    select ${sql.join(picks)} from ${table} where brand_id = ${from}
    on conflict (${sql.join(keys)}) do update set ${sql.join(sets)}`.execute(trx);
  await sql`delete from ${table} where brand_id = ${from}`.execute(trx);
}

/** What a merge moved, for the answer and the audit log. */
export interface MovedRows {
  events: number;
  orphanFtdsCleared: number;
}

export async function moveBrandRows(
  trx: Kysely<Database>,
  dialect: DialectName,
  from: number,
  to: number,
): Promise<MovedRows> {
  const events = await trx
    .updateTable('events')
    .set({ brand_id: to })
    .where('brand_id', '=', from)
    .executeTakeFirst();
  for (const spec of BRAND_COUNTER_TABLES) await moveCounterRows(trx, dialect, spec, from, to);
  await sql`update orphan_ftds set brand_id = ${to} where brand_id = ${from}`.execute(trx);
  // One brand now: a registration under either slug explains an FTD under the other.
  const cleared = await sql`delete from orphan_ftds
    where brand_id = ${to} and external_uid is not null and exists (
      select 1 from player_regs p
      where p.external_uid = orphan_ftds.external_uid and p.brand_id = orphan_ftds.brand_id
        and p.source_id = orphan_ftds.source_id and p.first_reg_at <= orphan_ftds.occurred_at)`.execute(trx);
  await sql`delete from rollup_orphan where brand_id = ${from}`.execute(trx);
  await recountOrphans(trx, dialect, to);
  return {
    events: Number(events.numUpdatedRows),
    orphanFtdsCleared: Number(cleared.numAffectedRows ?? 0),
  };
}
