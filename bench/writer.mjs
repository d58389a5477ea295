/**
 * `node bench/writer.mjs` — what the SQLite writer threads spend per event, without HTTP.
 *
 * Stores synthetic Cellxpert postbacks (the shape of bench/wrk/postback.lua, already validated)
 * with storeBatch, `--batch` at a time (what 64 connections give a group commit), into a fresh
 * SQLite database, and folds the derived rollups every `--fold-every` events in chunks of
 * `--chunk`, all on this one thread, against the built code (`npm run build` first). Prints one
 * JSON line: wall and CPU µs per event, of which storing and folding, and events per second for
 * one thread doing both. In the server the two run on separate threads (see ROLLUPS_SCHEMA).
 *
 * Flags: --events N (60000)  --batch N (34)  --fold-every N (6000)  --chunk N (the folder's
 *        default)  --dist DIR (another build, to compare two commits on one machine)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFlags } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2), {
  events: 'number',
  batch: 'number',
  'fold-every': 'number',
  chunk: 'number',
  dist: 'string',
});
const DIST = flags.dist ? pathToFileURL(`${resolve(flags.dist)}/`) : new URL('../dist/', import.meta.url);
if (!existsSync(new URL('ingest/store-batch.js', DIST)))
  throw new Error('no build found: run `npm run build` first');
const { connect } = await import(new URL('db/connect.js', DIST).href);
const { migrateToLatest } = await import(new URL('db/migrate.js', DIST).href);
const { seedBuiltInSources } = await import(new URL('sources/source-service.js', DIST).href);
const { BrandDirectory } = await import(new URL('brands/brand-directory.js', DIST).href);
const { DerivedRollups } = await import(new URL('ingest/derived-rollups.js', DIST).href);
const { storeBatch } = await import(new URL('ingest/store-batch.js', DIST).href);

const total = flags.events ?? 60_000;
const batch = flags.batch ?? 34;
const foldEvery = flags['fold-every'] ?? 6_000;

const dir = mkdtempSync(join(tmpdir(), 'affpanel-writer-'));
const url = `sqlite:${join(dir, 'writer.db')}`;
try {
  const setup = connect(url);
  await migrateToLatest(setup);
  await seedBuiltInSources(setup);
  await setup.close();
  // The writer threads' own settings (writer-thread-worker.ts).
  const db = connect(url, { cacheMb: 16, rollupsCacheMb: 16 });
  const source = await db.kysely
    .selectFrom('sources')
    .select('id')
    .where('slug', '=', 'cellxpert')
    .executeTakeFirstOrThrow();
  const brands = new BrandDirectory(db);
  await brands.refresh();
  const folder = new DerivedRollups(db);

  const BRANDS = Array.from({ length: 59 }, (_, i) => `brand${i + 1}`);
  const TYPES = ['REG', 'REG', 'REG', 'REG', 'FTD', 'FTD', 'DEP', 'DEP', 'DEP', 'CPA'];
  const SUBS = ['fb_spring', 'g_ads_es', 'tt_promo', 'seo_blog', 'push_es', 'email_q3', 'native_1'];
  const TAGS = ['banner728', 'text_link', 'landing_a', 'landing_b', 'popup', 'video_pre'];
  const event = (c) => {
    const id = `bench-1-${c}`;
    const type = TYPES[c % TYPES.length];
    const brand = BRANDS[(c * 7) % BRANDS.length];
    const affiliate = String(((c * 13) % 300) + 1);
    const now = new Date();
    const cents = (10 + (c % 490)) * 100 + (c % 100);
    return {
      type,
      rawEvent: type.toLowerCase(),
      brand,
      sourceId: Number(source.id),
      affiliateId: affiliate,
      subId: `${SUBS[c % SUBS.length]}_${c % 1000}`,
      externalUid: `u${id}`,
      transactionId: `d${id}`,
      trackingTag: TAGS[c % TAGS.length],
      trafficSource: null,
      country: 'ES',
      amountMicros: BigInt(cents) * 10_000n,
      currency: 'EUR',
      isTest: false,
      sender: null,
      sheet: null,
      receivedAt: now,
      occurredAt: now,
      brokenFields: [],
      brokenMacro: null,
      dedupKey: `${type}|t|d${id}`,
      rawQuery: `key=***&event=${type.toLowerCase()}&brand=${brand}&affiliateid=${affiliate}&afp=${SUBS[c % SUBS.length]}_${c % 1000}&trackingcode=${TAGS[c % TAGS.length]}&userid=u${id}&depositid=d${id}&amount=${cents / 100}&currency=EUR&isocountry=ES`,
      rawBody: null,
      ip: '127.0.0.1',
    };
  };

  const ns = () => process.hrtime.bigint();
  let stored = 0;
  let sinceFold = 0;
  let storeNs = 0n;
  let foldNs = 0n;
  const fold = async () => {
    const start = ns();
    await folder.catchUp(flags.chunk);
    foldNs += ns() - start;
    sinceFold = 0;
  };
  const cpu0 = process.cpuUsage();
  const wall0 = ns();
  while (stored < total) {
    const items = [];
    for (let i = 0; i < batch && stored < total; i++) items.push({ kind: 'event', event: event(stored++) });
    const start = ns();
    await storeBatch(db, brands, items);
    storeNs += ns() - start;
    sinceFold += items.length;
    if (sinceFold >= foldEvery) await fold();
  }
  await fold();
  const wallUs = Number(ns() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const per = (us) => Math.round((us / total) * 10) / 10;
  console.log(
    JSON.stringify({
      events: total,
      batch,
      fold_every: foldEvery,
      chunk: flags.chunk ?? 'default',
      wall_us_per_event: per(wallUs),
      cpu_us_per_event: per(cpu.user + cpu.system),
      store_us_per_event: per(Number(storeNs) / 1000),
      fold_us_per_event: per(Number(foldNs) / 1000),
      events_per_s_one_thread: Math.round(total / (wallUs / 1e6)),
    }),
  );
  await db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
