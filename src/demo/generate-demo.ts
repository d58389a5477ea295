/**
 * `affpanel demo`: a realistic dataset written through the same storage path as postbacks
 * (ctx.store: brands, events, dedup index, hourly rollups; on SQLite through the writer thread
 * that also folds the derived rollups, so the two never wait on each other). Journeys walk the
 * funnel CLICK -> REG -> FTD (+ its DEP) -> REDEP/DEP -> CPA with per-deal rates, spread over the
 * chosen span with a time-of-day curve. The same seed gives the same dataset relative to the run's clock.
 */
import type { AppContext } from '../context.js';
import type { CanonicalEvent, EventType } from '../domain.js';
import type { WriteItem } from '../ingest/store-batch.js';
import { createSource, seedBuiltInSources } from '../sources/source-service.js';
import { demoRejection } from './demo-rejections.js';
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
import { TimeHeap } from './time-heap.js';

export interface DemoOptions {
  events: number;
  seed: number;
  /** How many days back from `now` the events spread over. */
  days: number;
  now?: Date;
  /** Events per storage transaction. */
  batchSize?: number;
  /** Events stored between two folds of the derived rollups, and the fold's chunk (default 50,000). */
  foldEvery?: number;
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
const REJECTION_RATE = 1 / 300;
const FOLD_EVERY = 50_000;
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
    private readonly end: number,
    private readonly seed: number,
  ) {
    this.deals = new WeightedPicker(world.dealWeights);
    this.affiliates = new WeightedPicker(world.affiliateWeights);
    this.hours = new WeightedPicker(HOUR_WEIGHTS.map((w, h) => [h, w] as const));
  }

  /** A moment in the given UTC day, following the time-of-day curve. */
  timeInDay(dayStart: number): number {
    return dayStart + this.hours.pick(this.rng) * HOUR + Math.floor(this.rng.next() * HOUR);
  }

  /**
   * Numbers an event when it is emitted, so transaction ids grow in time order as a network's own
   * ids do (and the dedup index is appended to, not written all over): its transaction id, its
   * dedup key and the request it came in.
   */
  stamp(event: CanonicalEvent): void {
    const txid = `${event.transactionId}-${this.seed}-${String(++this.txCounter).padStart(10, '0')}`;
    event.transactionId = txid;
    event.dedupKey = `${event.type}|t|${txid}`;
    event.rawQuery = `event=${event.rawEvent}&brand=${event.brand}&affiliate_id=${event.affiliateId}&transaction_id=${txid}`;
  }

  /** One player's events, starting at `t0`; events after `end` never happened yet and are left out. */
  journey(t0: number): CanonicalEvent[] {
    const rng = this.rng;
    const deal = this.deals.pick(rng);
    const affiliate = this.affiliates.pick(rng);
    // Fixed width, so ids sort in the order players arrive (as a network's numeric ids do).
    const player = `p${this.seed}-${String(++this.playerCounter).padStart(9, '0')}`;
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
      out.push({
        type,
        rawEvent: type.toLowerCase(),
        brand: deal.brand,
        sourceId: deal.source.id,
        affiliateId: affiliate.id,
        subId,
        externalUid: uid,
        // Numbered when emitted (stamp), in time order, as a network's own ids grow.
        transactionId: deal.source.slug.slice(0, 2),
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
        dedupKey: null,
        rawQuery: '',
        rawBody: null,
        ip: null,
      });
    };

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
  const writer = new JourneyWriter(rng, world, end, options.seed);
  const batchSize = options.batchSize ?? 5000;
  const foldEvery = options.foldEvery ?? FOLD_EVERY;

  let emitted = 0;
  let done = 0;
  let foldedAt = 0;
  let batch: WriteItem[] = [];
  let rejected: WriteItem[] = [];
  // One batch is stored while the next is generated; a failure surfaces at the next flush.
  let inFlight: Promise<void> = Promise.resolve();
  // The fold of the derived rollups runs beside the stores where it can (SQLite: its own thread
  // and file); one at a time, so a fold that falls behind holds the stores back.
  let folding: Promise<unknown> = Promise.resolve();
  let failure: { error: unknown } | null = null;
  const settle = async () => {
    await inFlight;
    if (failure) throw failure.error;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const items = rejected.length > 0 ? [...batch, ...rejected] : batch;
    const count = batch.length;
    batch = [];
    rejected = [];
    await settle();
    inFlight = (async () => {
      await ctx.store(items);
      done += count;
      onProgress(done, options.events);
      // Fold the derived rollups in large chunks: far fewer rows per event than the server's
      // background chunks, which keep its memory small.
      if (done - foldedAt >= foldEvery) {
        foldedAt = done;
        await folding;
        folding = ctx.derived.catchUp(foldEvery).catch((error: unknown) => {
          failure = { error };
        });
      }
    })().catch((error: unknown) => {
      failure = { error };
    });
  };
  const slugOf = new Map(sources.map((s) => [s.id, s.slug]));
  const emit = async (event: CanonicalEvent) => {
    if (emitted >= options.events) return;
    writer.stamp(event);
    batch.push({ kind: 'event', event });
    emitted++;
    // About one postback in 300 is refused (rotated keys, typos, unmapped words, bad amounts).
    if (rng.chance(REJECTION_RATE))
      rejected.push({
        kind: 'rejection',
        rejection: demoRejection(rng, event, slugOf.get(event.sourceId) ?? 'unknown', end),
      });
    if (batch.length >= batchSize) await flush();
  };

  // Day by day, in time order: journeys start on that day, and the events they schedule for
  // later (deposits, CPAs) wait in a heap until their time comes.
  const heap = new TimeHeap();
  const firstDay = Math.floor((end - options.days * DAY) / DAY) * DAY;
  let scheduled = 0;
  for (let day = firstDay; day <= end && emitted < options.events; day += DAY) {
    const elapsedShare = Math.min(1, (day + DAY - firstDay) / (end - firstDay));
    while (scheduled < options.events * elapsedShare) {
      let t0 = writer.timeInDay(day);
      // Today: nothing starts after now.
      if (t0 > end) t0 = day + Math.floor(rng.next() * (end - day + 1));
      for (const event of writer.journey(t0)) {
        heap.push(event);
        scheduled++;
      }
    }
    while (heap.peekTime() < day + DAY) {
      const event = heap.pop();
      if (event) await emit(event);
    }
  }
  while (heap.size > 0 && emitted < options.events) {
    const event = heap.pop();
    if (event) await emit(event);
  }
  await flush();
  await settle();
  await folding;
  if (failure) throw (failure as { error: unknown }).error;
  await ctx.derived.catchUp(foldEvery);
  await ctx.brands.refresh();

  return {
    events: done,
    brands: new Set(world.deals.map((d) => d.brand)).size || DEMO_BRANDS.length,
    sources: sources.length,
    affiliates: world.affiliates.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
