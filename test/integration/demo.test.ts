/**
 * The demo generator on a real database: the asked-for number of events over the asked-for days,
 * the same data for the same seed and clock, a different one for another seed, every funnel type,
 * and the rejected postbacks a real install collects beside its events.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { unfoldedCount } from '../../src/db/dialect.js';
import { generateDemo } from '../../src/demo/generate-demo.js';
import { createTestDatabaseUrl } from '../helpers/database-url.js';
import { expectRollupsEqualRecount } from '../helpers/rollup-recount.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const NOW = new Date(Date.UTC(2026, 10, 26, 12));
const apps: TestApp[] = [];

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

async function demo(seed: number) {
  const t = await createTestApp(`demo-${seed}-${apps.length}`);
  apps.push(t);
  const summary = await generateDemo(t.ctx, { events: 6_000, seed, days: 30, now: NOW, batchSize: 1_000 });
  const db = t.ctx.db.kysely;
  const byType = await db
    .selectFrom('events')
    .select(['type', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('type')
    .orderBy('type')
    .execute();
  const range = await db
    .selectFrom('events')
    .select([(eb) => eb.fn.min('occurred_at').as('first'), (eb) => eb.fn.max('occurred_at').as('last')])
    .executeTakeFirstOrThrow();
  const rejections = await db
    .selectFrom('rejections')
    .select(['reason_code', 'source_slug', 'raw_query', 'last_seen_at'])
    .execute();
  return {
    summary,
    byType: Object.fromEntries(byType.map((r) => [r.type, Number(r.n)])),
    range: { first: Number(range.first), last: Number(range.last) },
    rejections,
  };
}

describe('generateDemo', () => {
  it('writes the events asked for, the same for the same seed, with rejections beside them', async () => {
    const a = await demo(7);
    const b = await demo(7);
    const c = await demo(8);
    expect(a.summary.events).toBe(6_000);
    expect(Object.values(a.byType).reduce((x, y) => x + y, 0)).toBe(6_000);
    expect(Object.keys(a.byType).sort()).toEqual(['CLICK', 'CPA', 'DEP', 'FTD', 'REDEP', 'REG']);
    expect(a.range.first).toBeGreaterThanOrEqual(NOW.getTime() - 31 * 86_400_000);
    expect(a.range.last).toBeLessThanOrEqual(NOW.getTime());
    expect(b.byType).toEqual(a.byType);
    expect(b.rejections.length).toBe(a.rejections.length);
    expect(c.byType).not.toEqual(a.byType);

    // About one in 300: tens here, each with a known code and no key in the stored query.
    expect(a.rejections.length).toBeGreaterThan(5);
    expect(a.rejections.length).toBeLessThan(60);
    const codes = new Set(a.rejections.map((r) => r.reason_code));
    expect(codes.size).toBeGreaterThan(2);
    for (const r of a.rejections) {
      expect([
        'bad_key',
        'unknown_source',
        'unknown_event',
        'invalid_amount',
        'invalid_currency',
        'missing_brand',
      ]).toContain(r.reason_code);
      expect(r.raw_query).not.toMatch(/key=(?!\*\*\*)/);
      expect(Number(r.last_seen_at)).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  it('folds the derived rollups itself when the background folder is off, equal to a recount', async () => {
    // As `affpanel demo` runs it: no background folder; the generator folds every `foldEvery` events.
    const database = await createTestDatabaseUrl('demo-fold');
    const ctx = await createContext(parseConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), {
      foldInBackground: false,
    });
    try {
      const summary = await generateDemo(ctx, {
        events: 5_000,
        seed: 3,
        days: 10,
        now: NOW,
        batchSize: 500,
        foldEvery: 1_500,
      });
      expect(summary.events).toBe(5_000);
      expect(await unfoldedCount(ctx.db.kysely, ctx.db.dialect)).toBe(0);
      await expectRollupsEqualRecount(ctx.db);

      // Transaction ids are numbered as events are stored, so they grow with the event id.
      const rows = await ctx.db.kysely
        .selectFrom('events')
        .select(['transaction_id', 'dedup_key'])
        .orderBy('id')
        .execute();
      const numbers = rows.map((r) => Number(/-(\d+)$/.exec(r.transaction_id ?? '')?.[1]));
      expect(
        numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n > (numbers[i - 1] as number))),
      ).toBe(true);
      for (const r of rows) expect(r.dedup_key).toMatch(new RegExp(`\\|t\\|${r.transaction_id}$`));
    } finally {
      await ctx.close();
      await database.drop();
    }
  });
});
