/**
 * `npm run bench:ingest` — postback ingest throughput, latency and durability, end to end.
 *
 * One run, loopback only, bounded in time, stops by itself:
 *   1. ensures wrk is installed (Debian package `wrk`);
 *   2. baseline: a bare node:http server that answers 200 {"status":"accepted"} and stores nothing
 *      (bench/lib/bare-server.mjs), driven by wrk with the same Lua script;
 *   3. for each backend (SQLite file; PostgreSQL in a durable throwaway cluster): starts the built
 *      server `node dist/main.js` on a fresh database, drives GET /postback/cellxpert with wrk
 *      (bench/wrk/postback.lua: every request a new, valid event with unique ids), samples the
 *      server's RSS every 500 ms, stops it with SIGTERM (it flushes) and counts the stored rows:
 *      lost = acknowledged (200 + "accepted" body) - stored must be 0;
 *   4. prints one JSON line per run to stdout, then a target / pass-fail table.
 *
 * Flags: --duration S (20)  --connections N (64)  --threads N (2)  --backend sqlite|postgres|both
 *        --mode body|fast (see bench/wrk/postback.lua; fast adds a 3 s body-checked run)
 *        --cpu-prof (profile the server with node --cpu-prof and print the top functions; the
 *                    figures of a profiled run are not comparable with the targets)
 *        --no-bare (skip the baseline; ratio is then null)   --strict (exit 1 when a target fails)
 * Env:   BENCH_KEEP=1 keeps the temp dir (databases, server logs, profiles).
 *        INGEST_FLUSH_MS, INGEST_BATCH_MAX, ... are passed through to the server.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { preparePostgres, prepareSqlite } from './lib/backends.mjs';
import { formatSummary, summariseProfile } from './lib/cpuprofile.mjs';
import { cpuWindow, sampleRss, waitForQuietMachine } from './lib/proc-stats.mjs';
import { killAllChildren, MAIN_JS, startAppServer, startBareServer, stopProcess } from './lib/servers.mjs';
import { log, parseFlags, round, sleep } from './lib/util.mjs';
import { ensureWrk, runWrk } from './lib/wrk.mjs';

const TARGETS = {
  accepted_rps: { sqlite: 20_000, postgres: 10_000 },
  p99_ms: 25,
  ratio: 0.35,
  lost: 0,
  rss_max_mb: 300,
};
const BODY_CHECK_S = 3;
/** CPU used by processes outside the benchmark (% of one core) above which a run is flagged noisy. */
const NOISY_OTHER_CPU_PCT = 25;

const flags = parseFlags(process.argv.slice(2), {
  duration: 'number',
  connections: 'number',
  threads: 'number',
  backend: 'string',
  mode: 'string',
  'cpu-prof': 'boolean',
  'no-bare': 'boolean',
  strict: 'boolean',
});
const durationS = flags.duration ?? 20;
const connections = flags.connections ?? 64;
const threads = Math.min(flags.threads ?? 2, connections);
const backendFlag = flags.backend ?? 'both';
const mode = flags.mode ?? 'body';
const profile = flags['cpu-prof'] ?? false;
const keep = process.env.BENCH_KEEP === '1';
if (!['sqlite', 'postgres', 'both'].includes(backendFlag))
  throw new Error('--backend must be sqlite, postgres or both');
if (!['body', 'fast'].includes(mode)) throw new Error('--mode must be body or fast');
const backends = backendFlag === 'both' ? ['sqlite', 'postgres'] : [backendFlag];

if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);

// ---- cleanup: children, clusters (pg-cluster registers its own exit hook), temp dir ---------------
const runDir = mkdtempSync(join(tmpdir(), 'affpanel-bench-'));
process.on('exit', () => {
  killAllChildren();
  if (!keep) rmSync(runDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    process.exit(signal === 'SIGINT' ? 130 : 143); // exit hooks kill children and stop the cluster
  });
}
// Hard bound on the whole run, whatever hangs.
const budgetS = 120 + (backends.length + 1) * (durationS + BODY_CHECK_S + 150);
setTimeout(() => {
  log(`run exceeded its ${budgetS} s budget, aborting`);
  process.exit(124);
}, budgetS * 1000).unref();

// ---- machine -------------------------------------------------------------------------------------
const wrkPath = ensureWrk();
const wrkVersion = (() => {
  try {
    execFileSync(wrkPath, ['-v'], { stdio: 'pipe' });
  } catch (err) {
    return String(err.stdout ?? '')
      .split('\n')[0]
      .trim(); // wrk -v exits 1
  }
  return '';
})();
const machine = {
  date: new Date().toISOString(),
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  mem_gb: round(totalmem() / 2 ** 30, 1),
  node: process.version,
  wrk: wrkVersion,
  loadavg_1m_at_start: round(loadavg()[0], 2),
  git: (() => {
    try {
      const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
      });
      return dirty.trim() === '' ? head : `${head}+uncommitted`;
    } catch {
      return 'unknown';
    }
  })(),
};
log(`machine: ${JSON.stringify(machine)}`);
log(`run dir: ${runDir}${keep ? ' (kept: BENCH_KEEP=1)' : ''}`);
const ingestEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INGEST_')));

const wrkOptions = { wrk: wrkPath, threads, connections };
const nonOk = (statuses) =>
  Object.entries(statuses ?? {}).reduce(
    (n, [code, count]) => (Number(code) >= 200 && Number(code) < 300 ? n : n + count),
    0,
  );
const socketErrors = (e) => e.connect + e.read + e.write + e.timeout;

/** Runs wrk against a started process while sampling its RSS and the machine's CPU. */
async function load(proc, baseUrl, key, runId, runMode, seconds, dbPids = null, idsFile = undefined) {
  const quiet = await waitForQuietMachine();
  if (!quiet.quiet)
    log(
      `machine still busy (${quiet.busyPct} % of a core used by others) after ${quiet.waitedMs} ms: measuring anyway`,
    );
  else if (quiet.waitedMs > 1500) log(`waited ${quiet.waitedMs} ms for the machine to be quiet`);
  const rss = sampleRss(proc.pid, 500);
  const cpu = cpuWindow(proc.pid, dbPids);
  rss.mark();
  cpu.start();
  log(`wrk -t${threads} -c${connections} -d${seconds}s ${baseUrl} (mode ${runMode})`);
  const result = await runWrk({
    ...wrkOptions,
    baseUrl,
    key,
    run: runId,
    mode: runMode,
    durationS: seconds,
    idsFile: runMode === 'body' ? idsFile : undefined,
  });
  const cpuUse = cpu.end();
  rss.unmark();
  const cpu2 = { ...cpuUse, busy_before_pct: quiet.busyPct };
  if (cpu2.other_cpu_pct > NOISY_OTHER_CPU_PCT) {
    log(`other processes used ${cpu2.other_cpu_pct} % of a core during this run: figures are skewed`);
  }
  return { result, cpu: cpu2, rss };
}

/** Main-thread CPU per answered request, in µs: what the HTTP thread costs per postback. */
function perRequestUs(cpu, requests) {
  return requests > 0 ? round((cpu.server_main_thread_cpu_s * 1e6) / requests, 1) : null;
}

const lines = [];
function emit(obj) {
  lines.push(obj);
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

// ---- baseline ------------------------------------------------------------------------------------
let bareRps = null;
if (!flags['no-bare']) {
  const bare = await startBareServer();
  log(`bare node:http server on ${bare.baseUrl} (pid ${bare.proc.pid})`);
  const { result, cpu, rss } = await load(bare.proc, bare.baseUrl, 'none', 'bare', mode, durationS);
  const rssStats = rss.stop();
  await stopProcess(bare.proc, 5000);
  bareRps = result.requests / result.duration_s;
  emit({
    backend: 'bare',
    rps: round(bareRps, 0),
    p50_ms: round(result.latency_ms.p50, 2),
    p99_ms: round(result.latency_ms.p99, 2),
    errors: socketErrors(result.errors),
    non2xx: result.body_checked ? nonOk(result.statuses) : result.errors.status,
    sent: result.requests,
    main_thread_us_per_request: perRequestUs(cpu, result.requests),
    rss_max_mb: round(rssStats.maxMb, 1),
    duration_s: durationS,
    connections,
    threads,
    mode,
    measured_s: round(result.duration_s, 2),
    latency_ms: result.latency_ms,
    cpu,
    noisy: cpu.other_cpu_pct > NOISY_OTHER_CPU_PCT || undefined,
  });
  await sleep(1000);
}

// ---- backends ------------------------------------------------------------------------------------
let failed = false;
for (const name of backends) {
  const dir = join(runDir, name);
  mkdirSync(dir, { recursive: true });
  let backend = null;
  let server = null;
  try {
    backend = name === 'sqlite' ? await prepareSqlite(dir) : await preparePostgres();
    log(`${name}: ${backend.description}`);
    const profDir = join(dir, 'prof');
    server = await startAppServer({
      databaseUrl: backend.databaseUrl,
      cwd: dir,
      nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
      readKey: () => backend.readKey(),
    });
    log(`${name}: server pid ${server.proc.pid} ready on ${server.baseUrl} in ${server.readyMs} ms`);
    const rssAll = sampleRss(server.proc.pid, 500);

    const dbPids = backend.dbPids ? () => backend.dbPids() : null;
    const ids = (run) => join(dir, `acked-ids-${run}`);
    const main = await load(
      server.proc,
      server.baseUrl,
      server.key,
      `${name}main`,
      mode,
      durationS,
      dbPids,
      ids('main'),
    );
    const loadRss = main.rss.stop();
    let check = null;
    if (mode === 'fast') {
      check = (
        await load(
          server.proc,
          server.baseUrl,
          server.key,
          `${name}check`,
          'body',
          BODY_CHECK_S,
          dbPids,
          ids('check'),
        )
      ).result;
    }

    log(`${name}: SIGTERM, waiting for the flush`);
    const stopped = await stopProcess(server.proc, 40_000);
    const rssStats = rssAll.stop();
    writeFileSync(join(dir, 'server.log'), `${server.proc.stdout}\n--- stderr ---\n${server.proc.stderr}`);
    const counts = await backend.count();

    const r = main.result;
    // Acknowledged = answered 200 with "accepted" in the body. In fast mode the main run has no
    // body hook: there every response below 400 counts (the server answers nothing but 200 or an
    // error), and the short body-checked run verifies that those really say "accepted".
    const mainAck = r.body_checked ? r.accepted_body : r.requests - r.errors.status;
    const acknowledged = mainAck + (check?.accepted_body ?? 0);
    const sent = r.requests + (check?.requests ?? 0);
    const stored = counts.events;
    const lost = Math.max(0, acknowledged - stored);
    const extra = Math.max(0, stored - acknowledged);
    // Exact check, beside the counts (where stored events nobody got an answer for could hide a
    // lost one): every event id answered "accepted" must be a row in events, and only once.
    const ackedIds = [...(r.ackedIds ?? []), ...(check?.ackedIds ?? [])];
    const storedIds = await backend.storedIds();
    let lostIds = 0;
    for (const id of ackedIds) if (!storedIds.has(id)) lostIds++;
    const repeatedIds = ackedIds.length - new Set(ackedIds).size;
    const rps = r.requests / r.duration_s;
    const acceptedRps = mainAck / r.duration_s;
    const line = {
      backend: name,
      rps: round(rps, 0),
      accepted_rps: round(acceptedRps, 0),
      p50_ms: round(r.latency_ms.p50, 2),
      p99_ms: round(r.latency_ms.p99, 2),
      errors: socketErrors(r.errors) + (check ? socketErrors(check.errors) : 0),
      non2xx: (r.body_checked ? nonOk(r.statuses) : r.errors.status) + (check ? nonOk(check.statuses) : 0),
      sent,
      acknowledged,
      stored,
      lost,
      extra,
      acked_ids_checked: ackedIds.length,
      lost_ids: ackedIds.length > 0 ? lostIds : null,
      repeated_ids: ackedIds.length > 0 ? repeatedIds : null,
      main_thread_us_per_request: perRequestUs(main.cpu, r.requests),
      ratio: bareRps ? round(rps / bareRps, 3) : null,
      bare_rps: bareRps ? round(bareRps, 0) : null,
      rss_max_mb: round(rssStats.maxMb, 1),
      duration_s: durationS,
      connections,
      threads,
      mode,
      measured_s: round(r.duration_s, 2),
      unanswered_at_stop: r.generated - r.requests + (check ? check.generated - check.requests : 0),
      statuses: r.body_checked
        ? r.statuses
        : { '<400': r.requests - r.errors.status, '>=400': r.errors.status },
      errors_detail: r.errors,
      body_check: check
        ? {
            seconds: BODY_CHECK_S,
            requests: check.requests,
            accepted: check.accepted_body,
            statuses: check.statuses,
          }
        : undefined,
      rejections_stored: counts.rejections,
      brands_stored: counts.brands,
      latency_ms: r.latency_ms,
      rss_load_max_mb: round(loadRss.windowMaxMb, 1),
      cpu: main.cpu,
      noisy: main.cpu.other_cpu_pct > NOISY_OTHER_CPU_PCT || undefined,
      server: {
        ready_ms: server.readyMs,
        stop_ms: stopped.stopMs,
        exit: stopped.signal ?? stopped.code,
        killed: stopped.killed,
      },
      ingest_env: ingestEnv,
      profiled: profile || undefined,
    };
    const checks = [
      [
        'accepted/s',
        acceptedRps,
        `>= ${TARGETS.accepted_rps[name]}`,
        acceptedRps >= TARGETS.accepted_rps[name],
      ],
      ['p99 ms', r.latency_ms.p99, `< ${TARGETS.p99_ms}`, r.latency_ms.p99 < TARGETS.p99_ms],
      [
        'ratio to bare',
        line.ratio,
        `>= ${TARGETS.ratio}`,
        line.ratio === null ? null : line.ratio >= TARGETS.ratio,
      ],
      ['lost', Math.max(lost, lostIds), '= 0', lost === 0 && lostIds === 0 && repeatedIds === 0],
      ['RSS max MB', rssStats.maxMb, `< ${TARGETS.rss_max_mb}`, rssStats.maxMb < TARGETS.rss_max_mb],
    ];
    line.targets = Object.fromEntries(
      checks.map(([label, value, target, pass]) => [label, { value: round(value, 3), target, pass }]),
    );
    line.all_pass = checks.every(([, , , pass]) => pass !== false);
    if (stopped.code !== 0 || stopped.killed) line.warning = 'server did not exit cleanly after SIGTERM';
    emit(line);

    if (profile) {
      const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
      for (const f of files) {
        const summary = summariseProfile(JSON.parse(readFileSync(join(profDir, f), 'utf8')), 25);
        const text = formatSummary(summary, `${name} server CPU profile (${f})`);
        writeFileSync(join(dir, 'profile-summary.txt'), text);
        process.stderr.write(`\n${text}\n\n`);
      }
      if (files.length === 0) log(`${name}: no .cpuprofile written in ${profDir}`);
    }
  } catch (err) {
    failed = true;
    log(`${name}: FAILED: ${err.stack ?? err.message}`);
    if (server) await stopProcess(server.proc, 10_000).catch(() => {});
    emit({ backend: name, error: String(err.message ?? err).split('\n')[0] });
  } finally {
    await backend?.cleanup().catch((err) => log(`${name}: cleanup failed: ${err.message}`));
  }
  await sleep(1000);
}

// ---- summary table -------------------------------------------------------------------------------
const table = [
  '',
  `ingest benchmark ${machine.date}  git ${machine.git}  nproc=${machine.nproc} node ${machine.node}  wrk -t${threads} -c${connections} -d${durationS}s mode=${mode}${profile ? '  (PROFILED: not comparable)' : ''}`,
];
const bareLine = lines.find((l) => l.backend === 'bare');
const noisyNote = (l) =>
  l.noisy ? `  [NOISY: other processes used ${l.cpu.other_cpu_pct} % of a core during the run]` : '';
if (bareLine) {
  table.push(
    `bare node:http: ${bareLine.rps} req/s, p50 ${bareLine.p50_ms} ms, p99 ${bareLine.p99_ms} ms${noisyNote(bareLine)}`,
  );
}
for (const l of lines.filter((x) => x.targets || x.error)) {
  if (l.error) {
    table.push(`${l.backend}: measurement FAILED: ${l.error}`);
    continue;
  }
  table.push(
    `${l.backend}: sent ${l.sent}, acknowledged ${l.acknowledged}, stored ${l.stored}, lost ${l.lost}, extra ${l.extra} (unanswered at stop ${l.unanswered_at_stop}); acknowledged ids checked ${l.acked_ids_checked}, missing ${l.lost_ids ?? 'n/a'}; errors ${l.errors}, non-2xx ${l.non2xx}${noisyNote(l)}`,
  );
  for (const [label, t] of Object.entries(l.targets)) {
    const verdict = t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL';
    table.push(`  ${verdict}  ${label.padEnd(14)} ${String(t.value).padStart(10)}   target ${t.target}`);
  }
}
process.stdout.write(`${table.join('\n')}\n`);

const missed = lines.some((l) => l.all_pass === false);
process.exit(failed ? 1 : flags.strict && missed ? 1 : 0);
