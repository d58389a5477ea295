/**
 * `npm run bench:query` — read-side latency over an existing (demo) database.
 *
 *   DATABASE_URL=sqlite:/tmp/demo.db node bench/query.mjs [--calls 20] [--export-rows 1000000]
 *     [--only <route prefix>] [--only-export]
 *
 * Generate the data once first: `DATABASE_URL=… node bin/affpanel.js demo --events 10000000`.
 * Builds the app in-process (dist/), creates a throwaway API client, warms up, then times every
 * read route at every period preset (median and p95 of --calls calls through app.inject), an
 * events page at several filters and page depths, and the CSV export of --export-rows rows over a
 * real socket (rows/s and the process's peak RSS). For summary it also times the naive answer (a
 * GROUP BY over the events of the period, in a child process so its scans do not swell this
 * process's RSS) and prints `speedup`. One JSON line per measurement;
 * `pending` counts the timed answers marked `X-Figures-Pending` (served before every stored event
 * was counted: READ_CATCH_UP_MS ran out).
 * `--only-export` skips the route timings and measures the export alone (its peak RSS then starts
 * from a smaller heap than after the full run, so compare like with like).
 * `--under-load S` first starts the built server on the same database and drives it with the
 * bench:ingest load (wrk, 64 connections, new postbacks) for S seconds; the routes are asked of
 * that server over HTTP at Today and YTD while the load runs (lines carry `under_load: true`),
 * then the load's accepted/s is printed and the server stopped. The load adds events to the
 * database.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createApiClient } from '../dist/access/api-clients.js';
import { parseConfig } from '../dist/config.js';
import { createContext } from '../dist/context.js';
import { buildServer } from '../dist/server.js';
import { log, parseFlags } from './lib/util.mjs';

const flags = parseFlags(process.argv.slice(2), {
  calls: 'number',
  'export-rows': 'number',
  only: 'string',
  'only-export': 'boolean',
  'under-load': 'number',
});
const UNDER_LOAD_S = flags['under-load'] ?? 0;
const CALLS = flags.calls ?? 20;
const EXPORT_ROWS = flags['export-rows'] ?? 1_000_000;
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a database filled by `affpanel demo`');
const backend = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';

const config = parseConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' });
const t0 = performance.now();
const ctx = await createContext(config); // applies migrations (and the 0003 backfill) when needed
log(`context ready in ${Math.round(performance.now() - t0)} ms`);
const app = await buildServer(ctx, { logger: false });
const { token } = await createApiClient(
  ctx.db,
  { name: `bench-${Date.now()}`, rateLimitPerMinute: 100_000 },
  null,
);
const headers = { authorization: `Bearer ${token}` };

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (n) => Math.round(n * 10) / 10;

/** Answers marked `X-Figures-Pending` (served before every stored event was counted). */
let pendingAnswers = 0;

async function time(fn, calls = CALLS) {
  for (let i = 0; i < 2; i++) await fn();
  const pendingBefore = pendingAnswers;
  const ms = [];
  for (let i = 0; i < calls; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return {
    median_ms: round(pct(ms, 50)),
    p95_ms: round(pct(ms, 95)),
    pending: pendingAnswers - pendingBefore,
  };
}

/** Under load, routes are asked of the loaded server itself over HTTP (one process, as deployed). */
let remote = null;

async function route(path) {
  if (remote !== null) {
    const res = await fetch(`${remote}${path}`, { headers });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
    if (res.headers.get('x-figures-pending')) pendingAnswers++;
    return { json: () => JSON.parse(body) };
  }
  const res = await app.inject({ method: 'GET', url: path, headers });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (res.headers['x-figures-pending']) pendingAnswers++;
  return res;
}

const emit = (o) => process.stdout.write(`${JSON.stringify({ backend, ...o })}\n`);
const PRESETS = ['today', 'yesterday', 'this_week', 'this_month', 'last_month', 'quarter', 'ytd'];
const ROUTES = {
  summary: (p) => `/api/v1/summary?period=${p}`,
  timeseries: (p) => `/api/v1/timeseries?period=${p}`,
  stats_source: (p) => `/api/v1/stats?dimension=source&period=${p}`,
  stats_tag: (p) => `/api/v1/stats?dimension=tag&period=${p}`,
  stats_geo: (p) => `/api/v1/stats?dimension=geo&period=${p}`,
  brands: (p) => `/api/v1/brands?period=${p}`,
  sources: (p) => `/api/v1/sources?period=${p}`,
  affiliates: (p) => `/api/v1/affiliates?period=${p}`,
  deals: (p) => `/api/v1/deals?period=${p}`,
  broken_tags: (p) => `/api/v1/broken-tags?period=${p}`,
  summary_brand: (p) => `/api/v1/summary?period=${p}&brand=britsino`,
};

/** The naive summary's median over 3 calls, timed in a child process (see lib/naive-summary.mjs). */
function naiveSummaryMedian(from, to) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./lib/naive-summary.mjs', import.meta.url))],
      {
        env: process.env,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out).median_ms) : reject(new Error(`naive summary exited ${code}`)),
    );
    child.stdin.end(JSON.stringify({ from, to, calls: 3 }));
  });
}

async function timeRoutes(presets = PRESETS, extra = {}) {
  const emitRow = (o) => emit({ ...o, ...extra });
  for (const [name, build] of Object.entries(ROUTES)) {
    if (flags.only && !name.startsWith(flags.only)) continue;
    for (const preset of presets) {
      const figures = await time(() => route(build(preset)));
      const out = { route: name, preset, ...figures };
      if (name === 'summary') {
        const period = (await route(build(preset))).json().period;
        const naive = await naiveSummaryMedian(Date.parse(period.from), Date.parse(period.to));
        out.naive_median_ms = round(naive);
        out.speedup = round(naive / Math.max(0.1, figures.median_ms));
      }
      emitRow(out);
    }
  }
  for (const mode of ['day', 'week', 'month'])
    emitRow({ route: 'compare', mode, ...(await time(() => route(`/api/v1/compare?mode=${mode}`))) });
  emitRow({ route: 'source_health', ...(await time(() => route('/api/v1/source-health'))) });

  const first = (await route('/api/v1/events')).json();
  const EVENT_CASES = {
    page_1: '/api/v1/events',
    page_100: '/api/v1/events?page=100',
    page_deep: `/api/v1/events?page=${Math.max(1, Math.floor(first.pages * 0.7))}`,
    page_last: `/api/v1/events?page=${Math.max(1, first.pages)}`,
    brand_page_50: '/api/v1/events?brand=britsino&page=50',
    cpa_page_20: '/api/v1/events?type=CPA&page=20',
    tag_page_5: '/api/v1/events?tag=WA_&page=5',
    test_only_page_3: '/api/v1/events?test=test&page=3',
  };
  for (const [name, path] of Object.entries(EVENT_CASES))
    emitRow({ route: 'events', case: name, ...(await time(() => route(path))) });
}

/** Routes timed at Today and YTD while the server takes the bench:ingest load on the same database. */
async function timeRoutesUnderLoad(seconds) {
  const { ensureWrk, runWrk } = await import('./lib/wrk.mjs');
  const { startAppServer, stopProcess } = await import('./lib/servers.mjs');
  const wrk = ensureWrk();
  const server = await startAppServer({
    databaseUrl: url,
    cwd: process.cwd(),
    readKey: async () =>
      (
        await ctx.db.kysely
          .selectFrom('sources')
          .select('secret_key')
          .where('slug', '=', 'cellxpert')
          .executeTakeFirst()
      )?.secret_key ?? null,
  });
  try {
    log(`load: ${seconds} s of postbacks at 64 connections against ${server.baseUrl}`);
    const load = runWrk({
      wrk,
      baseUrl: server.baseUrl,
      key: server.key,
      run: `q${Date.now().toString(36)}`,
      mode: 'body',
      threads: 2,
      connections: 64,
      durationS: seconds,
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const started = performance.now();
    remote = server.baseUrl;
    await timeRoutes(['today', 'ytd'], { under_load: true });
    remote = null;
    const timedS = (performance.now() - started) / 1000;
    const result = await load;
    emit({
      route: 'load',
      seconds,
      timed_within_s: round(timedS),
      load_covered_timings: timedS + 3 <= seconds,
      accepted_per_s: Math.round(result.accepted_body / result.duration_s),
      not_accepted: result.requests - result.accepted_body,
      load_p99_ms: result.latency_ms?.p99,
    });
  } catch (error) {
    // Say what became of the server: a failed request is often its exit.
    const { proc } = server;
    log(
      `server ${proc.exitInfo ? `exited (${proc.exitInfo.signal ?? `code ${proc.exitInfo.code}`})` : 'still running'}; its last output:`,
    );
    log(`${proc.stdout}\n${proc.stderr}`.trim().split('\n').slice(-30).join('\n'));
    throw error;
  } finally {
    await stopProcess(server.proc);
  }
}

if (UNDER_LOAD_S > 0) await timeRoutesUnderLoad(UNDER_LOAD_S);
else if (!flags['only-export']) await timeRoutes();

// CSV export over a real socket: rows/s and peak RSS of this process (server and client).
await app.listen({ port: 0, host: '127.0.0.1' });
const port = app.server.address().port;
const memBefore = process.memoryUsage();
const rssBefore = memBefore.rss;
let peakRss = rssBefore;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
const cpuBefore = process.cpuUsage();
const s = performance.now();
const res = await fetch(`http://127.0.0.1:${port}/api/v1/events/export?format=csv&limit=${EXPORT_ROWS}`, {
  headers,
});
if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
let bytes = 0;
let lines = 0;
for await (const chunk of res.body) {
  bytes += chunk.length;
  // indexOf scans in native code: the client's own cost stays small beside the server's.
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
}
const seconds = (performance.now() - s) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
emit({
  route: 'events_export_csv',
  rows: lines - 1,
  seconds: round(seconds),
  rows_per_s: Math.round((lines - 1) / seconds),
  mb: round(bytes / 1e6),
  // CPU time of the whole process (all threads) over the export: steadier than rows/s on a busy host.
  cpu_s: round((cpu.user + cpu.system) / 1e6),
  peak_rss_mb: Math.round(peakRss / 1e6),
  rss_before_mb: Math.round(rssBefore / 1e6),
  // What the RSS before the export holds: V8's heap, and outside it (SQLite page caches, buffers).
  heap_before_mb: Math.round(memBefore.heapTotal / 1e6),
  outside_heap_before_mb: Math.round((memBefore.rss - memBefore.heapTotal) / 1e6),
  only_export: flags['only-export'] === true,
});
await app.close();
