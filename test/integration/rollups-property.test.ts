/**
 * Property: whatever mix of postbacks arrives (duplicates, test events, several currencies,
 * different hours, missing affiliates, broken tags, bad ones), the hourly rollups written in the
 * same transaction equal both a recount of the stored events and an independent in-memory model
 * of the inputs; and once folded, every derived rollup equals a recount of the stored events.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unfoldedCount } from '../../src/db/dialect.js';
import { DerivedRollups } from '../../src/ingest/derived-rollups.js';
import { expectRollupsEqualRecount } from '../helpers/rollup-recount.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

const HOUR = 3600_000;

interface Input {
  type: 'reg' | 'ftd' | 'dep' | 'cpa' | 'click';
  brand: number;
  affiliate: number | null;
  tx: number;
  amountCents: number | null;
  currency: 'EUR' | 'USD' | 'GBP';
  test: boolean;
  hoursAgo: number;
  broken: boolean;
  bad: boolean;
}

const inputArb: fc.Arbitrary<Input> = fc.record({
  type: fc.constantFrom('reg', 'ftd', 'dep', 'cpa', 'click'),
  brand: fc.integer({ min: 0, max: 2 }),
  affiliate: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  // A small id space makes duplicates common.
  tx: fc.integer({ min: 0, max: 12 }),
  amountCents: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
  currency: fc.constantFrom('EUR', 'USD', 'GBP'),
  test: fc.boolean(),
  hoursAgo: fc.integer({ min: 0, max: 30 }),
  broken: fc.boolean(),
  bad: fc.boolean().map((b) => b && Math.random() < 0.3),
});

const TYPE = { reg: 'REG', ftd: 'FTD', dep: 'DEP', cpa: 'CPA', click: 'CLICK' } as const;

type Totals = Map<string, { count: number; amount: number; broken: number }>;

function add(totals: Totals, key: string, amount: number, broken: boolean): void {
  const t = totals.get(key) ?? { count: 0, amount: 0, broken: 0 };
  t.count += 1;
  t.amount += amount;
  t.broken += broken ? 1 : 0;
  totals.set(key, t);
}

describe('hourly rollups', () => {
  let t: TestApp;
  let run = 0;
  beforeAll(async () => {
    t = await createTestApp('rollups-property');
  });
  afterAll(async () => t.close());

  it('equal a recount from stored events and from the inputs, for any mix of postbacks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(inputArb, { minLength: 1, maxLength: 60 }), async (inputs) => {
        run++;
        const now = Date.now();
        const brandSlug = (b: number) => `prop${run}b${b}`;
        const expected: Totals = new Map();
        const seen = new Set<string>();

        const requests = inputs.map((input) => {
          const occurred = now - input.hoursAgo * HOUR;
          const params: Record<string, string | number> = {
            key: keyOf(t, 'cellxpert'),
            event: input.type,
            brand: brandSlug(input.brand),
            depositid: `r${run}-${input.tx}`,
            timestamp: new Date(occurred).toISOString(),
            test: input.test ? 1 : 0,
            trackingcode: input.broken ? '{clickid}' : 'TAG_1',
          };
          if (input.affiliate !== null) params.affiliateid = input.affiliate;
          if (input.amountCents !== null) {
            params.amount = (input.amountCents / 100).toFixed(2);
            params.currency = input.currency;
          }
          if (input.bad) params.isocountry = 'XX';
          if (!input.bad) {
            const dedup = `${TYPE[input.type]}|${input.tx}`;
            if (!seen.has(dedup)) {
              seen.add(dedup);
              const hour = Math.floor(occurred / HOUR) * HOUR;
              const key = [
                hour,
                brandSlug(input.brand),
                String(input.affiliate ?? ''),
                input.test ? 1 : 0,
                TYPE[input.type],
                input.amountCents === null ? '' : input.currency,
              ].join('|');
              add(expected, key, (input.amountCents ?? 0) * 10_000, input.broken);
            }
          }
          return `/postback/cellxpert?${query(params)}`;
        });

        // Sent in waves, so a run spans several group-commit batches.
        for (let i = 0; i < requests.length; i += 7) {
          await Promise.all(requests.slice(i, i + 7).map((url) => t.app.inject({ method: 'GET', url })));
        }

        const db = t.ctx.db.kysely;
        const rollups = await db
          .selectFrom('rollup_hourly')
          .innerJoin('brands', 'brands.id', 'rollup_hourly.brand_id')
          .select([
            'hour_start',
            'brands.slug as brand',
            'affiliate_id',
            'is_test',
            'type',
            'currency',
            'event_count',
            'amount_micros',
            'broken_count',
          ])
          .where('brands.slug', 'like', `prop${run}b%`)
          .execute();
        const fromRollups: Totals = new Map();
        for (const r of rollups) {
          const key = [r.hour_start, r.brand, r.affiliate_id, r.is_test, r.type, r.currency].join('|');
          fromRollups.set(key, {
            count: Number(r.event_count),
            amount: Number(r.amount_micros),
            broken: Number(r.broken_count),
          });
        }

        const events = await db
          .selectFrom('events')
          .innerJoin('brands', 'brands.id', 'events.brand_id')
          .select([
            'occurred_at',
            'brands.slug as brand',
            'affiliate_id',
            'is_test',
            'type',
            'currency',
            'amount_micros',
            'broken_fields',
          ])
          .where('brands.slug', 'like', `prop${run}b%`)
          .execute();
        const fromEvents: Totals = new Map();
        for (const e of events) {
          const hour = Math.floor(Number(e.occurred_at) / HOUR) * HOUR;
          const key = [hour, e.brand, e.affiliate_id ?? '', e.is_test, e.type, e.currency ?? ''].join('|');
          add(fromEvents, key, Number(e.amount_micros ?? 0), e.broken_fields !== null);
        }

        expect(fromRollups).toEqual(fromEvents);
        expect(fromRollups).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('derived rollups (hour, day, week, month, values, affiliates, orphans) equal a recount after folding', async () => {
    const spread = fc.record({
      type: fc.constantFrom('reg', 'ftd', 'dep', 'cpa', 'click'),
      brand: fc.integer({ min: 0, max: 2 }),
      affiliate: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      sub: fc.option(fc.constantFrom('s1', 's2'), { nil: null }),
      tag: fc.option(fc.constantFrom('TAG_A', 'tag_b', '{clickid}'), { nil: null }),
      geo: fc.option(fc.constantFrom('DE', 'ES'), { nil: null }),
      tx: fc.integer({ min: 0, max: 40 }),
      // Two players: an FTD without an earlier REG is flagged orphan until a REG dated before it
      // is folded in a later wave, which clears the flag.
      player: fc.integer({ min: 0, max: 1 }),
      amountCents: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
      currency: fc.constantFrom('EUR', 'USD'),
      test: fc.boolean(),
      // Up to ten weeks back: events fall on both sides of week and month boundaries.
      minutesAgo: fc.integer({ min: 0, max: 70 * 24 * 60 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spread, { minLength: 10, maxLength: 40 }), async (inputs) => {
        run++;
        const now = Date.now();
        const urls = inputs.map((input) => {
          const params: Record<string, string | number> = {
            key: keyOf(t, 'cellxpert'),
            event: input.type,
            brand: `spread${run % 4}b${input.brand}`,
            depositid: `s${run}-${input.tx}`,
            userid: `p${run}-${input.player}`,
            timestamp: new Date(now - input.minutesAgo * 60_000).toISOString(),
            test: input.test ? 1 : 0,
          };
          if (input.affiliate !== null) params.affiliateid = input.affiliate;
          if (input.sub !== null) params.afp = input.sub;
          if (input.tag !== null) params.trackingcode = input.tag;
          if (input.geo !== null) params.isocountry = input.geo;
          if (input.amountCents !== null) {
            params.amount = (input.amountCents / 100).toFixed(2);
            params.currency = input.currency;
          }
          return `/postback/cellxpert?${query(params)}`;
        });
        for (let i = 0; i < urls.length; i += 3) {
          await Promise.all(urls.slice(i, i + 3).map((url) => t.app.inject({ method: 'GET', url })));
          await t.ctx.derived.catchUp();
        }
        await expectRollupsEqualRecount(t.ctx.db);
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe('DerivedRollups.catchUp', () => {
  it('callers arriving during a fold share the next one, and each finds every earlier event folded', async () => {
    const t = await createTestApp('catchup-shared');
    try {
      // An instance of its own: the context's background folder cannot move its run count.
      const folder = new DerivedRollups(t.ctx.db);
      const key = keyOf(t, 'cellxpert');
      for (let i = 0; i < 20; i++)
        await t.app.inject({
          method: 'GET',
          url: `/postback/cellxpert?${query({ key, event: 'reg', brand: 'shared', userid: `u${i}`, depositid: `d${i}` })}`,
        });
      const last = await t.ctx.db.kysely
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      const before = folder.runsStarted;
      // One run starts; three callers arrive while it is in progress.
      const calls = [folder.catchUp(), folder.catchUp(), folder.catchUp(), folder.catchUp()];
      await Promise.all(calls);
      // The run in progress, then one more for all three (not one after another).
      expect(folder.runsStarted - before).toBe(2);
      expect(Number(last.id)).toBeGreaterThan(0);
      expect(await unfoldedCount(t.ctx.db.kysely, t.ctx.db.dialect)).toBe(0);
      await expectRollupsEqualRecount(t.ctx.db);
    } finally {
      await t.close();
    }
  });
});
