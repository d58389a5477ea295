/**
 * `affpanel demo`: a realistic dataset written through the same storage path as postbacks
 * (storeBatch: brands, events, dedup index, hourly rollups). Player journeys walk the funnel
 * CLICK -> REG -> FTD (+ its DEP) -> REDEP/DEP -> CPA with per-deal rates, spread over the chosen
 * span with a time-of-day curve. The same seed gives the same dataset relative to the run's clock.
 */
import type { AppContext } from '../context.js';
import type { CanonicalEvent, EventType } from '../domain.js';
import { storeBatch, type WriteItem } from '../ingest/store-batch.js';
import { createSource, seedBuiltInSources } from '../sources/source-service.js';
import {
  buildDemoWorld,
  CLICK_SENDING_SOURCES,
  DEMO_BRANDS,
  DEMO_EXTRA_SOURCES,
  type DemoAffiliate,
  type DemoDeal,
  type DemoSource,
  HOUR_WEIGHTS,
} from './demo-world.js';
import { Random, WeightedPicker } from './random.js';

export interface DemoOptions {
  events: number;
  seed: number;
  /** How many days back from `now` the events spread over. */
  days: number;
  now?: Date;
  /** Events per storage transaction. */
  batchSize?: number;
}

export interface DemoSummary {
  events: number;
  brands: number;
  sources: number;
  affiliates: number;
  seconds: number;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const DEP_AMOUNTS = [10, 20, 25, 30, 50, 75, 100, 150, 200, 300, 500];

async function ensureDemoSources(ctx: AppContext): Promise<DemoSource[]> {
  await seedBuiltInSources(ctx.db);
  const existing = new Set(
    (await ctx.db.kysely.selectFrom('sources').select('slug').execute()).map((r) => r.slug),
  );
  for (const extra of DEMO_EXTRA_SOURCES) {
    if (!existing.has(extra.slug)) await createSource(ctx.db, extra);
  }
  await ctx.sources.refresh();
  const rows = await ctx.db.kysely.selectFrom('sources').select(['id', 'slug']).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), slug: r.slug }));
}

/** Builds journeys and hands out their events one batch at a time. */
class JourneyWriter {
  private txCounter = 0;
  private playerCounter = 0;
  private readonly deals: WeightedPicker<DemoDeal>;
  private readonly affiliates: WeightedPicker<DemoAffiliate>;
  private readonly hours: WeightedPicker<number>;

  constructor(
    private readonly rng: Random,
    world: ReturnType<typeof buildDemoWorld>,
    private readonly start: number,
    private readonly end: number,
    private readonly seed: number,
  ) {
    this.deals = new WeightedPicker(world.dealWeights);
    this.affiliates = new WeightedPicker(world.affiliateWeights);
    this.hours = new WeightedPicker(HOUR_WEIGHTS.map((w, h) => [h, w] as const));
  }

  private randomTime(): number {
    const days = Math.max(1, Math.ceil((this.end - this.start) / DAY));
    for (;;) {
      const dayStart = Math.floor(this.start / DAY) * DAY + this.rng.int(0, days) * DAY;
      const t = dayStart + this.hours.pick(this.rng) * HOUR + Math.floor(this.rng.next() * HOUR);
      if (t >= this.start && t <= this.end) return t;
    }
  }

  /** One player's events, in time order; events after `end` never happened yet and are left out. */
  journey(): CanonicalEvent[] {
    const rng = this.rng;
    const deal = this.deals.pick(rng);
    const affiliate = this.affiliates.pick(rng);
    const player = `p${this.seed}-${++this.playerCounter}`;
    const subId = rng.pick(affiliate.subIds);
    const broken = affiliate.brokenMacro !== null && rng.chance(affiliate.brokenRate);
    const tag = broken ? (affiliate.brokenMacro as string) : rng.pick(affiliate.tags);
    const geo = rng.chance(0.85) ? affiliate.geo : 'DE';
    const isTest = rng.chance(0.01);
    const out: CanonicalEvent[] = [];
    const add = (
      type: EventType,
      at: number,
      amount: number | null,
      currency: string | null,
      uid: string | null,
    ) => {
      if (at > this.end) return;
      const txid = `${deal.source.slug.slice(0, 2)}-${this.seed}-${++this.txCounter}`;
      out.push({
        type,
        rawEvent: type.toLowerCase(),
        brand: deal.brand,
        sourceId: deal.source.id,
        affiliateId: affiliate.id,
        subId,
        externalUid: uid,
        transactionId: txid,
        trackingTag: tag,
        trafficSource: null,
        country: geo,
        amountMicros: amount === null ? null : BigInt(amount),
        currency,
        isTest,
        sender: null,
        sheet: null,
        receivedAt: new Date(at + rng.int(0, 20_000)),
        occurredAt: new Date(at),
        brokenFields: broken ? ['tracking_tag'] : [],
        brokenMacro: broken ? tag : null,
        dedupKey: `${type}|t|${txid}`,
        rawQuery: `event=${type.toLowerCase()}&brand=${deal.brand}&affiliate_id=${affiliate.id}&transaction_id=${txid}`,
        rawBody: null,
        ip: null,
      });
    };

    const t0 = this.randomTime();
    if (CLICK_SENDING_SOURCES.has(deal.source.slug)) {
      const clicks = rng.int(2, 9);
      for (let i = 0; i < clicks; i++) add('CLICK', t0 - rng.int(1, 120) * 60_000, null, null, null);
    }
    const depositor = rng.chance(deal.ftdRate);
    if (!depositor || !rng.chance(deal.orphanRate)) add('REG', t0, null, null, player);
    if (!depositor) return out;

    const money = (n: number) => n * 1_000_000;
    let t = t0 + rng.int(5, 48 * 60) * 60_000;
    const first = money(rng.pick(DEP_AMOUNTS));
    add('FTD', t, first, deal.currency, player);
    add('DEP', t, first, deal.currency, player);
    let redeps = 0;
    while (redeps < 12 && rng.chance(0.55)) {
      t += rng.int(1, 96) * HOUR;
      const amount = money(rng.pick(DEP_AMOUNTS));
      add('REDEP', t, amount, deal.currency, player);
      add('DEP', t, amount, deal.currency, player);
      redeps++;
    }
    if (rng.chance(deal.cpaRate))
      add('CPA', t0 + rng.int(1, 14) * DAY, deal.payoutMicros, deal.currency, player);
    return out;
  }
}

export async function generateDemo(
  ctx: AppContext,
  options: DemoOptions,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<DemoSummary> {
  const started = performance.now();
  if (!Number.isInteger(options.events) || options.events < 1)
    throw new Error('events must be a positive integer');
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error('days must be a positive integer');
  const rng = new Random(options.seed);
  const sources = await ensureDemoSources(ctx);
  const world = buildDemoWorld(rng, sources);
  const end = (options.now ?? new Date()).getTime();
  const writer = new JourneyWriter(rng, world, end - options.days * DAY, end, options.seed);
  const batchSize = options.batchSize ?? 5000;

  let done = 0;
  let batch: WriteItem[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await storeBatch(ctx.db, ctx.brands, batch);
    done += batch.length;
    batch = [];
    onProgress(done, options.events);
  };
  while (done + batch.length < options.events) {
    for (const event of writer.journey()) {
      if (done + batch.length >= options.events) break;
      batch.push({ kind: 'event', event });
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await ctx.brands.refresh();

  return {
    events: done,
    brands: new Set(world.deals.map((d) => d.brand)).size || DEMO_BRANDS.length,
    sources: sources.length,
    affiliates: world.affiliates.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
