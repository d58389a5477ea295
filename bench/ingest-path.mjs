/**
 * `node bench/ingest-path.mjs` — the main thread's own cost per postback, without HTTP or storage.
 *
 * Runs synthetic Cellxpert postbacks (the same shape as bench/wrk/postback.lua) through the code the
 * postback route runs on the HTTP thread: capturePostback -> Ingestor.ingest (parse, authenticate,
 * map, validate, redact, group commit) -> sendVerdict, in this process, against the built code
 * (`npm run build` first). The write batches go to a fake store that answers "accepted" at once;
 * with `--store clone` (default) it first encodes and serialises each batch as the SQLite writer
 * thread's postMessage would (V8's structured-clone serialiser), and copies the answers back, since
 * that is paid on the HTTP thread.
 * Nothing is stored; fastify and node:http are not involved (see `bench/ingest.mjs --cpu-prof`).
 *
 * Prints one JSON line: µs per postback (wall, process CPU and main-thread CPU) per round and the
 * median. Compare medians of runs on one machine; the absolute figures depend on it.
 *
 * Flags: --count N (postbacks per round, 100000)  --rounds N (5)  --batch N (64, postbacks in
 *        flight at once, like wrk's 64 connections)  --store none|clone (clone)
 *        --dist DIR (the build to run, dist/ by default: another build of another commit, to
 *        compare two versions on one machine in alternation)
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { parseFlags } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2), {
  count: 'number',
  rounds: 'number',
  batch: 'number',
  store: 'string',
  dist: 'string',
});
const DIST = flags.dist ? pathToFileURL(`${resolve(flags.dist)}/`) : new URL('../dist/', import.meta.url);
if (!existsSync(new URL('ingest/ingestor.js', DIST))) {
  throw new Error(
    `${fileURLToPath(DIST)} holds no build: run \`npm run build\` (or \`npx tsc -p tsconfig.build.json\`) first`,
  );
}
const { connect } = await import(new URL('db/connect.js', DIST).href);
const { migrateToLatest } = await import(new URL('db/migrate.js', DIST).href);
const { seedBuiltInSources } = await import(new URL('sources/source-service.js', DIST).href);
const { SourceDirectory } = await import(new URL('sources/source-directory.js', DIST).href);
const { BrandDirectory } = await import(new URL('brands/brand-directory.js', DIST).href);
const { Ingestor } = await import(new URL('ingest/ingestor.js', DIST).href);
const { capturePostback } = await import(new URL('routes/postback/index.js', DIST).href);
const { sendVerdict } = await import(new URL('routes/postback/verdict-reply.js', DIST).href);
// Builds before writer-message.ts posted the write items themselves (compare with --dist).
const wire = existsSync(new URL('ingest/writer-message.js', DIST))
  ? await import(new URL('ingest/writer-message.js', DIST).href)
  : null;
const count = flags.count ?? 100_000;
const rounds = flags.rounds ?? 5;
const batch = flags.batch ?? 64;
const storeMode = flags.store ?? 'clone';
if (!['none', 'clone'].includes(storeMode)) throw new Error('--store must be none or clone');

// ---- a source directory like the server's: every built-in template, on an in-memory database ----
const db = connect('sqlite::memory:');
await migrateToLatest(db);
const rows = await seedBuiltInSources(db);
const key = rows.find((r) => r.slug === 'cellxpert')?.secret_key;
if (!key) throw new Error('no cellxpert source was seeded');
const sources = new SourceDirectory(db, 3_600_000);
const brands = new BrandDirectory(db);
await Promise.all([sources.refresh(), brands.refresh()]);

let nextEventId = 0;
let messageId = 0;
let clonedBytes = 0;
/**
 * Answers every item at once. `clone` first pays what the HTTP thread pays around the writer
 * thread (writer-thread.ts): the batch encoded and copied as postMessage copies it, and the
 * answers copied back and decoded.
 */
async function fakeStore(items) {
  const results = items.map((item) =>
    item.kind === 'event' ? { kind: 'accepted', eventId: ++nextEventId } : { kind: 'rejection-logged' },
  );
  if (storeMode === 'none') return results;
  if (wire === null) {
    clonedBytes += serialize({ type: 'store', items, id: ++messageId }).length;
    return deserialize(serialize(results));
  }
  const request = serialize({ type: 'store', batch: wire.encodeWriteItems(items), id: ++messageId });
  clonedBytes += request.length;
  return wire.decodeWriteResults(deserialize(serialize(wire.encodeWriteResults(results))));
}
const ingestor = new Ingestor(
  db,
  sources,
  brands,
  { flushMs: 1000, batchMax: batch, queueMax: 1_000_000, maxInFlight: 2 },
  fakeStore,
);

// ---- the requests: wrk's postback.lua, as URL strings made before the clock starts --------------
const BRANDS = ['spinvilla', 'luckyreef', 'goldenmoose', 'royalpanda', 'casinolab', 'betnero', 'wildfortune'];
const EVENTS = ['reg', 'reg', 'reg', 'reg', 'ftd', 'ftd', 'dep', 'dep', 'dep', 'cpa'];
const SUBS = ['fb_spring', 'g_ads_es', 'tt_promo', 'seo_blog', 'push_es', 'email_q3', 'native_1'];
const TAGS = ['banner728', 'text_link', 'landing_a', 'landing_b', 'popup', 'video_pre'];
const URL_COUNT = 8192;
const urls = [];
for (let c = 1; c <= URL_COUNT; c++) {
  const id = `bench-1-${c}`;
  urls.push(
    `/postback/cellxpert?key=${key}&event=${EVENTS[c % EVENTS.length]}` +
      `&brand=${BRANDS[(c * 7) % BRANDS.length]}&affiliateid=${((c * 13) % 300) + 1}` +
      `&afp=${SUBS[c % SUBS.length]}_${c % 1000}&trackingcode=${TAGS[c % TAGS.length]}` +
      `&userid=u${id}&depositid=d${id}&amount=${10 + (c % 490)}.${String(c % 100).padStart(2, '0')}` +
      '&currency=EUR&isocountry=ES',
  );
}
const HEADERS = { host: '127.0.0.1:3000' };

/** What capturePostback and sendVerdict read of fastify's request and reply. */
function fakeRequest(url) {
  return {
    raw: { url },
    url,
    originalUrl: url,
    method: 'GET',
    body: undefined,
    headers: HEADERS,
    ip: '127.0.0.1',
    params: { source: 'cellxpert' },
  };
}
let answered = 0;
let answeredBytes = 0;
const fakeReply = {
  code() {
    return this;
  },
  type() {
    return this;
  },
  header() {
    return this;
  },
  send(payload) {
    answered++;
    answeredBytes += (typeof payload === 'string' ? payload : JSON.stringify(payload)).length;
    return this;
  },
};

async function handle(url) {
  const request = fakeRequest(url);
  const verdict = await ingestor.ingest(capturePostback(request, request.params.source));
  if (verdict.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(verdict)}`);
  return sendVerdict(request, fakeReply, verdict);
}

/** Main-thread CPU seconds (Linux: /proc/self/task/<pid>/stat), or null elsewhere. */
function mainThreadCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function round(n) {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuSeconds();
  for (let done = 0; done < n; done += batch) {
    const inFlight = [];
    const size = Math.min(batch, n - done);
    for (let i = 0; i < size; i++) inFlight.push(handle(urls[(done + i) % URL_COUNT]));
    await Promise.all(inFlight);
  }
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpuSeconds();
  const per = (us) => Math.round((us / n) * 100) / 100;
  return {
    wall_us: per((performance.now() - wall0) * 1000),
    cpu_us: per(cpu.user + cpu.system),
    main_thread_cpu_us: main0 === null || main1 === null ? null : per((main1 - main0) * 1e6),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

await round(Math.min(count, 20_000)); // warm-up: JIT, caches
answered = 0;
answeredBytes = 0;
clonedBytes = 0;
const results = [];
for (let r = 0; r < rounds; r++) results.push(await round(count));
await ingestor.close();
await db.close();
if (answered !== count * rounds) throw new Error(`answered ${answered} of ${count * rounds}`);

const mainThread = results.map((r) => r.main_thread_cpu_us);
console.log(
  JSON.stringify({
    bench: 'ingest-path',
    dist: fileURLToPath(DIST),
    store: storeMode,
    count,
    rounds,
    batch,
    node: process.version,
    median: {
      wall_us: median(results.map((r) => r.wall_us)),
      cpu_us: median(results.map((r) => r.cpu_us)),
      main_thread_cpu_us: mainThread.includes(null) ? null : median(mainThread),
    },
    rounds_us: results,
    answer_bytes: Math.round(answeredBytes / answered),
    cloned_bytes_per_postback: Math.round(clonedBytes / answered),
  }),
);
