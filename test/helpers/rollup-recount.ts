/**
 * Recounts every rollup table from the stored events, in plain code independent of the ingest
 * path, and expects each table to hold exactly that: rollup_hourly, rollup_hour, rollup_daily and
 * rollup_source (day, week, month), rollup_value, rollup_affiliate, rollup_affiliate_dim,
 * rollup_broken, player_regs, orphan_ftds and rollup_orphan. Call after the derived rollups were caught up.
 */
import { expect } from 'vitest';
import { withAnalyticsTables } from '../../src/analytics/tables.js';
import type { Db } from '../../src/db/connect.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

type Recount = Map<string, Array<number | string>>;

const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

/** Monday 00:00 UTC, computed through the calendar (not the arithmetic the code under test uses). */
const weekStart = (ms: number) => {
  const d = new Date(Math.floor(ms / DAY) * DAY);
  return d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY;
};

/** Merges values: '+' adds, '>' keeps the larger, '<' the smaller. */
function bump(map: Recount, key: string, values: Array<number | string>, merges: string): void {
  const seen = map.get(key);
  if (!seen) {
    map.set(key, [...values]);
    return;
  }
  values.forEach((v, i) => {
    const a = seen[i] as number | string;
    if (merges[i] === '+') seen[i] = Number(a) + Number(v);
    else if (merges[i] === '>' && v > a) seen[i] = v;
    else if (merges[i] === '<' && v < a) seen[i] = v;
  });
}

function stored(rows: Array<Record<string, unknown>>, keys: string[], values: string[]): Recount {
  return new Map(
    rows.map((r) => [
      keys.map((k) => String(r[k])).join('|'),
      values.map((v) => (typeof r[v] === 'string' ? (r[v] as string) : Number(r[v]))),
    ]),
  );
}

export async function expectRollupsEqualRecount(database: Db): Promise<void> {
  const db = withAnalyticsTables(database.kysely);
  const events = await db.selectFrom('events').selectAll().execute();
  const hourly: Recount = new Map();
  const hour: Recount = new Map();
  const daily: Recount = new Map();
  const source: Recount = new Map();
  const value: Recount = new Map();
  const affiliate: Recount = new Map();
  const affiliateDim: Recount = new Map();
  const broken: Recount = new Map();
  const regs: Recount = new Map();
  for (const e of events) {
    const at = Number(e.occurred_at);
    const amount = Number(e.amount_micros ?? 0);
    const isBroken = e.broken_fields ? 1 : 0;
    const aff = e.affiliate_id ?? '';
    const base = [e.brand_id, e.source_id].join('|');
    const tail = [e.is_test, e.type, e.currency ?? ''].join('|');
    // Dimension rows count every event but only CPA amounts (revenue), under the CPA's currency.
    const cpa = e.type === 'CPA';
    const dimTail = [e.is_test, e.type, cpa ? (e.currency ?? '') : ''].join('|');
    const dimValues = [1, cpa ? amount : 0];
    bump(hourly, [Math.floor(at / HOUR) * HOUR, base, aff, tail].join('|'), [1, amount, isBroken], '+++');
    bump(hour, [Math.floor(at / HOUR) * HOUR, base, tail].join('|'), [1, amount, isBroken], '+++');
    for (const [grain, bucket] of [
      ['d', Math.floor(at / DAY) * DAY],
      ['w', weekStart(at)],
      ['m', monthStart(at)],
    ] as const) {
      bump(
        daily,
        [grain, bucket, base, tail].join('|'),
        [1, amount, isBroken, at, Number(e.received_at)],
        '+++>>',
      );
      bump(
        source,
        [grain, bucket, e.source_id, tail].join('|'),
        [1, amount, isBroken, at, Number(e.received_at)],
        '+++>>',
      );
      if (isBroken)
        bump(
          broken,
          [grain, bucket, base, aff, e.sub_id ?? '', e.broken_macro ?? '', e.is_test, e.type].join('|'),
          [1, e.tracking_tag ?? e.sub_id ?? e.affiliate_id ?? '', at, at],
          '+<<>',
        );
      const dims: Array<[string, string, string]> = [
        ['tag', e.tracking_tag ?? '', ''],
        ['geo', e.country ?? '', ''],
        ['origin', e.sender ?? '', e.sheet ?? ''],
      ];
      for (const [dim, v, v2] of dims)
        bump(value, [dim, grain, bucket, v, v2, dimTail].join('|'), dimValues, '++');
      bump(affiliate, [grain, bucket, aff, dimTail].join('|'), dimValues, '++');
      if (grain !== 'w')
        for (const [dim, v, v2] of [
          ['sub', e.sub_id ?? '', ''],
          ['tag', e.tracking_tag ?? '', ''],
        ] as Array<[string, string, string]>)
          bump(affiliateDim, [aff, dim, grain, bucket, v, v2, dimTail].join('|'), dimValues, '++');
    }
    if (e.type === 'REG' && e.external_uid) bump(regs, [e.external_uid, base].join('|'), [at], '<');
  }
  const orphans = new Map<number, number>();
  const orphanCounts: Recount = new Map();
  for (const e of events) {
    if (e.type !== 'FTD') continue;
    const reg = e.external_uid ? regs.get([e.external_uid, e.brand_id, e.source_id].join('|')) : undefined;
    if (reg === undefined || Number(reg[0]) > Number(e.occurred_at)) {
      orphans.set(Number(e.id), Number(e.brand_id));
      const at = Number(e.occurred_at);
      for (const [grain, bucket] of [
        ['d', Math.floor(at / DAY) * DAY],
        ['w', weekStart(at)],
        ['m', monthStart(at)],
      ] as const)
        bump(orphanCounts, [grain, bucket, e.brand_id, e.source_id, e.is_test].join('|'), [1], '+');
    }
  }

  const counts = ['event_count', 'amount_micros'];
  expect(
    stored(
      await db.selectFrom('rollup_hourly').selectAll().execute(),
      ['hour_start', 'brand_id', 'source_id', 'affiliate_id', 'is_test', 'type', 'currency'],
      [...counts, 'broken_count'],
    ),
    'rollup_hourly',
  ).toEqual(hourly);
  expect(
    stored(
      await db.selectFrom('rollup_hour').selectAll().execute(),
      ['hour_start', 'brand_id', 'source_id', 'is_test', 'type', 'currency'],
      [...counts, 'broken_count'],
    ),
    'rollup_hour',
  ).toEqual(hour);
  expect(
    stored(
      await db.selectFrom('rollup_daily').selectAll().execute(),
      ['grain', 'bucket_start', 'brand_id', 'source_id', 'is_test', 'type', 'currency'],
      [...counts, 'broken_count', 'last_at', 'last_received_at'],
    ),
    'rollup_daily',
  ).toEqual(daily);
  expect(
    stored(
      await db.selectFrom('rollup_source').selectAll().execute(),
      ['grain', 'bucket_start', 'source_id', 'is_test', 'type', 'currency'],
      [...counts, 'broken_count', 'last_at', 'last_received_at'],
    ),
    'rollup_source',
  ).toEqual(source);
  expect(
    stored(
      await db.selectFrom('rollup_value').selectAll().execute(),
      ['dim', 'grain', 'bucket_start', 'value', 'value2', 'is_test', 'type', 'currency'],
      counts,
    ),
    'rollup_value',
  ).toEqual(value);
  expect(
    stored(
      await db.selectFrom('rollup_affiliate').selectAll().execute(),
      ['grain', 'bucket_start', 'affiliate_id', 'is_test', 'type', 'currency'],
      counts,
    ),
    'rollup_affiliate',
  ).toEqual(affiliate);
  expect(
    stored(
      await db.selectFrom('rollup_affiliate_dim').selectAll().execute(),
      ['affiliate_id', 'dim', 'grain', 'bucket_start', 'value', 'value2', 'is_test', 'type', 'currency'],
      counts,
    ),
    'rollup_affiliate_dim',
  ).toEqual(affiliateDim);
  expect(
    stored(
      await db.selectFrom('rollup_broken').selectAll().execute(),
      [
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
      ['event_count', 'sample_tag', 'first_at', 'last_at'],
    ),
    'rollup_broken',
  ).toEqual(broken);
  expect(
    stored(
      await db.selectFrom('player_regs').selectAll().execute(),
      ['external_uid', 'brand_id', 'source_id'],
      ['first_reg_at'],
    ),
    'player_regs',
  ).toEqual(regs);
  const storedOrphans = await db.selectFrom('orphan_ftds').select(['event_id', 'brand_id']).execute();
  expect(new Map(storedOrphans.map((o) => [Number(o.event_id), Number(o.brand_id)])), 'orphan_ftds').toEqual(
    orphans,
  );
  // Counts cleared back to zero may stay as rows; a recount has none.
  const orphanRows = await db
    .selectFrom('rollup_orphan')
    .selectAll()
    .where('orphan_count', '<>', 0)
    .execute();
  expect(
    stored(orphanRows, ['grain', 'bucket_start', 'brand_id', 'source_id', 'is_test'], ['orphan_count']),
    'rollup_orphan',
  ).toEqual(orphanCounts);
}
