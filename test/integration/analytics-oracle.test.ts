/**
 * Oracle: for any mix of postbacks (tests, duplicates, orphan FTDs, zero denominators, several
 * currencies, broken tags, several days and months) loaded through the ingest path, every figure
 * the read routes serve from rollups equals a plain in-memory recomputation from the inputs.
 * Runs accumulate in one database, so the model is cumulative too.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

const DAY = 86_400_000;
const TYPES = { reg: 'REG', ftd: 'FTD', dep: 'DEP', cpa: 'CPA', click: 'CLICK', redep: 'REDEP' } as const;
type Kind = keyof typeof TYPES;

interface Input {
  kind: Kind;
  brand: number;
  affiliate: number | null;
  uid: number | null;
  tx: number;
  cents: number | null;
  currency: 'EUR' | 'USD' | 'GBP';
  test: boolean;
  minutesAgo: number;
  tag: number;
  geo: 'ES' | 'DE' | null;
}

const inputArb: fc.Arbitrary<Input> = fc.record({
  kind: fc.constantFrom<Kind>('reg', 'reg', 'ftd', 'dep', 'cpa', 'click', 'redep'),
  brand: fc.integer({ min: 0, max: 2 }),
  affiliate: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
  uid: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null, freq: 5 }),
  tx: fc.integer({ min: 0, max: 25 }),
  cents: fc.option(fc.integer({ min: 0, max: 900_000 }), { nil: null }),
  currency: fc.constantFrom('EUR', 'USD', 'GBP'),
  test: fc.boolean().map((b) => b && Math.random() < 0.3),
  minutesAgo: fc.integer({ min: 0, max: 40 * 24 * 60 }),
  tag: fc.integer({ min: 0, max: 3 }),
  geo: fc.constantFrom('ES', 'DE', null),
});

interface Stored {
  type: string;
  brand: string;
  affiliate: string;
  uid: string | null;
  micros: bigint;
  currency: string;
  test: boolean;
  at: number;
  tag: string;
  geo: string;
  broken: boolean;
}

const TAGS = ['WA_ES_1', 'TG_DE_2', '{clickid}', ''];

describe('analytics oracle', () => {
  let t: TestApp;
  const stored: Stored[] = [];
  let run = 0;
  beforeAll(async () => {
    t = await createTestApp('analytics-oracle');
  });
  afterAll(async () => t.close());

  const get = async (url: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${t.apiToken}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('serves every figure equal to a recount of the inputs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(inputArb, { minLength: 1, maxLength: 40 }), async (inputs) => {
        run++;
        const now = Date.now();
        const seen = new Set<string>();
        const urls: string[] = [];
        for (const input of inputs) {
          const type = TYPES[input.kind];
          const at = now - input.minutesAgo * 60_000;
          const brand = `orb${input.brand}`;
          const tag = TAGS[input.tag] ?? '';
          const params: Record<string, string | number> = {
            key: keyOf(t, 'cellxpert'),
            event: input.kind,
            brand,
            depositid: `o${run}-${input.tx}`,
            timestamp: new Date(at).toISOString(),
            test: input.test ? 1 : 0,
          };
          if (tag !== '') params.trackingcode = tag;
          if (input.geo) params.isocountry = input.geo;
          if (input.affiliate !== null) params.affiliateid = `a${input.affiliate}`;
          if (input.uid !== null) params.userid = `r${run}u${input.uid}`;
          if (input.cents !== null) {
            params.amount = (input.cents / 100).toFixed(2);
            params.currency = input.currency;
          }
          urls.push(`/postback/cellxpert?${query(params)}`);
          const dedup = `${type}|${input.tx}`;
          if (seen.has(dedup)) continue;
          seen.add(dedup);
          stored.push({
            type,
            brand,
            affiliate: input.affiliate === null ? '' : `a${input.affiliate}`,
            uid: input.uid === null ? null : `r${run}u${input.uid}`,
            micros: input.cents === null ? 0n : BigInt(input.cents) * 10_000n,
            currency: input.cents === null ? '' : input.currency,
            test: input.test,
            at: Math.floor(at),
            tag,
            geo: input.geo ?? '',
            broken: tag.startsWith('{'),
          });
        }
        for (let i = 0; i < urls.length; i += 8)
          await Promise.all(urls.slice(i, i + 8).map((url) => t.app.inject({ method: 'GET', url })));

        const today = new Date(Math.floor(now / DAY) * DAY).toISOString().slice(0, 10);
        const from = new Date(Math.floor(now / DAY) * DAY - 45 * DAY).toISOString().slice(0, 10);
        const range = `from=${from}&to=${today}`;
        const prod = stored.filter((s) => !s.test);
        const count = (rows: Stored[], type: string) => rows.filter((s) => s.type === type).length;

        // Summary: counts per type and CPA revenue per currency, production only by default.
        for (const [mode, rows] of [
          ['production', prod],
          ['all', stored],
          ['test', stored.filter((s) => s.test)],
        ] as const) {
          const summary = await get(`/api/v1/summary?${range}&test=${mode}`);
          for (const type of Object.values(TYPES)) expect(summary.counts[type]).toBe(count(rows, type));
          const revenue = new Map<string, bigint>();
          for (const s of rows)
            if (s.type === 'CPA' && s.currency)
              revenue.set(s.currency, (revenue.get(s.currency) ?? 0n) + s.micros);
          const want = [...revenue.entries()]
            .filter(([, v]) => v !== 0n)
            .sort()
            .map(([currency, v]) => ({ currency, amount: fmt(v) }));
          expect(summary.revenue).toEqual(want);
          const reg = count(rows, 'REG');
          expect(summary.rates.reg_to_ftd.value).toBe(reg === 0 ? null : count(rows, 'FTD') / reg);
        }

        // Per brand (rollup_daily) and per affiliate (rollup_hourly path).
        const brand0 = await get(`/api/v1/summary?${range}&brand=orb0`);
        expect(brand0.counts.REG).toBe(
          count(
            prod.filter((s) => s.brand === 'orb0'),
            'REG',
          ),
        );
        const aff1 = await get(`/api/v1/summary?${range}&affiliate=a1`);
        expect(aff1.counts.FTD).toBe(
          count(
            prod.filter((s) => s.affiliate === 'a1'),
            'FTD',
          ),
        );

        // Timeseries per day, zero-filled.
        const series = await get(`/api/v1/timeseries?${range}`);
        for (const p of series.points) {
          const day = Date.parse(p.t);
          expect(p.counts.REG).toBe(
            count(
              prod.filter((s) => s.at >= day && s.at < day + DAY),
              'REG',
            ),
          );
        }

        // Stats by tag and geo (rollup_value), and the same with a brand filter (event scan).
        for (const dimension of ['tag', 'geo'] as const) {
          for (const brandFilter of ['', '&brand=orb1']) {
            const rows = prod.filter((s) => brandFilter === '' || s.brand === 'orb1');
            const stats = await get(
              `/api/v1/stats?${range}&dimension=${dimension}&page_size=500${brandFilter}`,
            );
            const want = new Map<string, number>();
            for (const s of rows) {
              const k = dimension === 'tag' ? s.tag : s.geo;
              want.set(k, (want.get(k) ?? 0) + 1);
            }
            expect(
              new Map(stats.rows.map((r: { key: string; events: number }) => [r.key, r.events])),
            ).toEqual(want);
          }
        }

        // The same breakdowns for one affiliate (rollup_affiliate_dim), and its detail page by tag.
        const ofA1 = prod.filter((s) => s.affiliate === 'a1');
        for (const dimension of ['tag', 'geo'] as const) {
          const stats = await get(`/api/v1/stats?${range}&dimension=${dimension}&page_size=500&affiliate=a1`);
          const want = new Map<string, number>();
          for (const s of ofA1) {
            const k = dimension === 'tag' ? s.tag : s.geo;
            want.set(k, (want.get(k) ?? 0) + 1);
          }
          expect(new Map(stats.rows.map((r: { key: string; events: number }) => [r.key, r.events]))).toEqual(
            want,
          );
        }
        const a1 = await get(`/api/v1/affiliates/a1?${range}`);
        expect(a1.events).toBe(ofA1.length);
        const a1Tags = new Map<string, number>();
        for (const s of ofA1) a1Tags.set(s.tag, (a1Tags.get(s.tag) ?? 0) + 1);
        expect(new Map(a1.by_tag.map((r: { key: string; events: number }) => [r.key, r.events]))).toEqual(
          a1Tags,
        );

        // Affiliates list: every count per affiliate, overall and for one brand.
        for (const brandFilter of ['', '&brand=orb1']) {
          const affs = await get(`/api/v1/affiliates?${range}${brandFilter}`);
          const wantAff = new Map<string, number>();
          for (const s of prod)
            if (brandFilter === '' || s.brand === 'orb1')
              wantAff.set(s.affiliate, (wantAff.get(s.affiliate) ?? 0) + 1);
          expect(
            new Map(
              affs.rows.map((r: { affiliate_id: string; events: number }) => [r.affiliate_id, r.events]),
            ),
          ).toEqual(wantAff);
        }

        // Sources: the one source's counts, revenue and trend (one rollup read serves all three).
        const sources = await get(`/api/v1/sources?${range}`);
        const cellxpert = sources.rows.find((r: { source: string }) => r.source === 'cellxpert');
        for (const type of Object.values(TYPES)) expect(cellxpert.counts[type]).toBe(count(prod, type));
        expect(cellxpert.events).toBe(prod.length);
        expect(cellxpert.trend.reduce((sum: number, b: { events: number }) => sum + b.events, 0)).toBe(
          prod.length,
        );
        const cpaRevenue = new Map<string, bigint>();
        for (const s of prod)
          if (s.type === 'CPA' && s.currency)
            cpaRevenue.set(s.currency, (cpaRevenue.get(s.currency) ?? 0n) + s.micros);
        expect(cellxpert.revenue).toEqual(
          [...cpaRevenue.entries()]
            .filter(([, v]) => v !== 0n)
            .sort()
            .map(([currency, v]) => ({ currency, amount: fmt(v) })),
        );

        // Deals: REG, FTD and orphan FTDs per brand.
        const deals = await get(`/api/v1/deals?${range}`);
        for (const b of ['orb0', 'orb1', 'orb2']) {
          const rows = prod.filter((s) => s.brand === b);
          const row = deals.rows.find((r: { brand: string }) => r.brand === b);
          if (rows.length === 0) continue;
          expect(row?.reg ?? 0).toBe(count(rows, 'REG'));
          expect(row?.ftd ?? 0).toBe(count(rows, 'FTD'));
          const regs = stored.filter((s) => s.brand === b && s.type === 'REG');
          const orphans = rows.filter(
            (f) => f.type === 'FTD' && (f.uid === null || !regs.some((r) => r.uid === f.uid && r.at <= f.at)),
          ).length;
          expect(row?.orphan_ftds ?? 0).toBe(orphans);
        }

        // Broken tags and the event log total.
        const broken = await get(`/api/v1/broken-tags?${range}`);
        expect(broken.summary.broken_events).toBe(prod.filter((s) => s.broken).length);
        for (const [field, type] of [
          ['clicks', 'CLICK'],
          ['regs', 'REG'],
          ['ftds', 'FTD'],
        ] as const)
          expect(broken.rows.reduce((a: number, r: Record<string, number>) => a + (r[field] ?? 0), 0)).toBe(
            prod.filter((s) => s.broken && s.type === type).length,
          );
        const events = await get(`/api/v1/events?${range}&test=all`);
        expect(events.total).toBe(stored.length);

        // Event log pages, with and without a tag filter: first, middle and last page, newest first.
        for (const tag of ['', 'wa_']) {
          const times = stored
            .filter((s) => tag === '' || s.tag.toLowerCase().includes(tag))
            .map((s) => s.at)
            .sort((a, b) => b - a);
          const size = 7;
          const pages = Math.max(1, Math.ceil(times.length / size));
          for (const page of new Set([1, Math.ceil(pages / 2), pages])) {
            const log = await get(
              `/api/v1/events?${range}&test=all&page_size=${size}&page=${page}${tag ? `&tag=${tag}` : ''}`,
            );
            expect(log.total).toBe(times.length);
            expect(log.rows.map((r: { time: string }) => Date.parse(r.time))).toEqual(
              times.slice((page - 1) * size, page * size),
            );
          }
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});

function fmt(micros: bigint): string {
  const whole = micros / 1_000_000n;
  const frac = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
