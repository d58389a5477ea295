/**
 * `npm run bench:notify` — Telegram notifications end to end, under Telegram's pacing rules.
 *
 *   node bench/notify.mjs [--events 10000] [--bots 5] [--groups 3] [--connections 32]
 *                         [--backend sqlite|postgres] [--scale 1]
 *
 * Starts the fake Bot API (dist/notify/fake-bot-api.js) in this process, a fresh database with
 * `--bots` bots that all match every event (the first `--groups` of them post to group chats, the
 * rest to private chats; each its own token), then the built server (`node dist/main.js`) pointed
 * at the fake. Sends `--events` distinct postbacks (FTD/REG/DEP/CPA over 8 brands) over HTTP with
 * `--connections` in flight, waits until every delivery (events × bots) has ended, and reads the
 * database and the fake's records:
 *
 *  - deliveries/s: deliveries ended per second, from the first postback to the last delivery;
 *  - lag: per delivery, from the event's arrival (received_at) to Telegram receiving the message
 *    that carried it (single or digest): max, p50, p99 — bounded by NOTIFY_MAX_LAG_MS by design;
 *  - duplicates: an event announced twice in one chat (singles named twice, or more deliveries
 *    covered than exist) — must be 0;
 *  - lost: deliveries not ended, failed, or whose message Telegram never got — must be 0;
 *  - pacing: the shortest gap between two messages to one chat as the fake received them, and how
 *    many gaps fell below 90 % of the rule (the sender spaces calls by the rule on its own clock;
 *    arrival adds both processes' event-loop delays).
 *
 * `--scale 0.1` runs the same rules ten times faster (intervals and allowed lag × 0.1) for a quick
 * look; the default is Telegram's own (1 s per private chat, 3 s per group, 60 s allowed lag).
 * Prints one JSON line to stdout; progress to stderr. Needs `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { connect } from '../dist/db/connect.js';
import { migrateToLatest } from '../dist/db/migrate.js';
import { digestCount } from '../dist/notify/digest.js';
import { FakeBotApi } from '../dist/notify/fake-bot-api.js';
import { withNotifyTables } from '../dist/notify/tables.js';
import { preparePostgres, prepareSqlite } from './lib/backends.mjs';
import { killAllChildren, startAppServer, stopProcess } from './lib/servers.mjs';
import { log, parseFlags, round, sleep } from './lib/util.mjs';

/** The poster thread: sends the postbacks (keep-alive HTTP), answers with how many were accepted. */
async function post({ base, key, events, connections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const get = (path) =>
    new Promise((resolve, reject) => {
      const req = http.get(`${base}${path}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
  let next = 0;
  let accepted = 0;
  const run = Date.now().toString(36);
  async function worker() {
    while (next < events) {
      const n = next++;
      const q = new URLSearchParams({
        key,
        event: TYPES[n % TYPES.length],
        brand: BRANDS[n % BRANDS.length],
        affiliateid: String(1 + (n % 50)),
        userid: `u${run}-${n}`,
        depositid: `d${run}-${n}`,
        amount: '25.00',
        currency: 'EUR',
      });
      if (JSON.parse(await get(`/postback/cellxpert?${q}`)).status === 'accepted') accepted++;
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return accepted;
}

const BRANDS = ['britsino', 'spinbet', 'luckyfox', 'goldrush', 'kingbet', 'vegasnow', 'mrplay', 'slotty'];
const TYPES = ['ftd', 'reg', 'dep', 'cpa'];

if (!isMainThread) {
  parentPort.postMessage(await post(workerData));
} else {
  await main();
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), {
    events: 'number',
    bots: 'number',
    groups: 'number',
    connections: 'number',
    backend: 'string',
    scale: 'number',
  });
  const EVENTS = flags.events ?? 10_000;
  const BOTS = flags.bots ?? 5;
  const GROUPS = Math.min(flags.groups ?? 3, BOTS);
  const CONNECTIONS = flags.connections ?? 32;
  const BACKEND = flags.backend ?? 'sqlite';
  const SCALE = flags.scale ?? 1;
  const rules = {
    NOTIFY_CHAT_INTERVAL_MS: Math.max(1, Math.round(1000 * SCALE)),
    NOTIFY_GROUP_INTERVAL_MS: Math.max(1, Math.round(3000 * SCALE)),
    NOTIFY_MAX_LAG_MS: Math.max(10, Math.round(60_000 * SCALE)),
    NOTIFY_POLL_MS: Math.max(10, Math.round(1000 * SCALE)),
    NOTIFY_LEASE_MS: 30_000,
    NOTIFY_HEALTH_INTERVAL_MS: 0,
    NOTIFY_ALERT_INTERVAL_MS: 0,
  };
  const env = Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, String(v)]));
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('NOTIFY_')) env[k] = v;

  const pct = (sorted, p) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

  const dir = mkdtempSync(join(tmpdir(), 'affpanel-bench-notify-'));
  const fake = await FakeBotApi.start();
  const backend = BACKEND === 'postgres' ? await preparePostgres() : await prepareSqlite(dir);
  let server = null;
  try {
    // Bots first (migrate, insert), so the server starts with them.
    const chats = Array.from({ length: BOTS }, (_, i) => (i < GROUPS ? `-100${700 + i}` : `${900 + i}`));
    const db = connect(backend.databaseUrl);
    await migrateToLatest(db);
    const now = Date.now();
    await withNotifyTables(db.kysely)
      .insertInto('bots')
      .values(
        chats.map((chatId, i) => ({
          name: `bench-${i}`,
          token: `${800000 + i}:${'B'.repeat(34)}${i}`,
          chat_id: chatId,
          business_unit: null,
          is_active: 1,
          scope: JSON.stringify({ types: [] }),
          template: null,
          health_status: 'unknown',
          health_checked_at: null,
          health_error: null,
          bot_username: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
    await db.close();

    log(`${BACKEND}: ${BOTS} bots (${GROUPS} groups), ${EVENTS} events, rules ${JSON.stringify(rules)}`);
    server = await startAppServer({
      databaseUrl: backend.databaseUrl,
      cwd: dir,
      env: { ...env, TELEGRAM_API_BASE_URL: fake.baseUrl },
      readKey: () => backend.readKey(),
    });

    // Postbacks: every one a new event, `CONNECTIONS` in flight, from a worker thread so this
    // thread (the fake Bot API's) stays free to timestamp Telegram calls precisely.
    const t0 = Date.now();
    const accepted = await new Promise((resolve, reject) => {
      const poster = new Worker(new URL(import.meta.url), {
        workerData: { base: server.baseUrl, key: server.key, events: EVENTS, connections: CONNECTIONS },
      });
      poster.once('message', resolve);
      poster.once('error', reject);
    });
    const postedMs = Date.now() - t0;
    log(
      `posted ${EVENTS} in ${postedMs} ms (${Math.round((EVENTS / postedMs) * 1000)}/s), accepted ${accepted}`,
    );

    // Wait until every delivery has ended.
    const reader = connect(backend.databaseUrl);
    const ndb = withNotifyTables(reader.kysely);
    const expected = accepted * BOTS;
    const deadline = Date.now() + Number(env.NOTIFY_MAX_LAG_MS) + 180_000;
    let open = Number.POSITIVE_INFINITY;
    while (Date.now() < deadline) {
      // Cheap, indexed counts: this thread also timestamps the fake's calls.
      const openRow = await ndb
        .selectFrom('notify_deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirst();
      const allRow = await ndb
        .selectFrom('notify_deliveries')
        .select((eb) => eb.fn.max('id').as('n'))
        .executeTakeFirst();
      open = Number(openRow?.n ?? 0);
      const written = Number(allRow?.n ?? 0);
      if (written >= expected && open === 0) break;
      log(`deliveries: ${written} written, ${open} not ended yet`);
      await sleep(2000);
    }
    const doneMs = Date.now() - t0;

    const rows = await ndb
      .selectFrom('notify_deliveries')
      .innerJoin('events', 'events.id', 'notify_deliveries.event_id')
      .select([
        'notify_deliveries.bot_id',
        'notify_deliveries.event_id',
        'notify_deliveries.status',
        'notify_deliveries.message_id',
        'notify_deliveries.finished_at',
        'events.received_at',
      ])
      .execute();
    await reader.close();

    const calls = fake.calls.filter((c) => c.method === 'sendMessage');
    const delivered = new Map(calls.filter((c) => c.answer === 200).map((c) => [c.messageId, c]));
    let lost = expected - rows.length;
    const lags = [];
    let firstReceived = Number.POSITIVE_INFINITY;
    let lastFinished = 0;
    for (const r of rows) {
      const call = delivered.get(Number(r.message_id));
      if ((r.status !== 'sent' && r.status !== 'digested') || !call) {
        lost++;
        continue;
      }
      lags.push(call.at - Number(r.received_at));
      firstReceived = Math.min(firstReceived, Number(r.received_at));
      lastFinished = Math.max(lastFinished, Number(r.finished_at));
    }
    lags.sort((a, b) => a - b);

    let duplicates = 0;
    let singles = 0;
    let digests = 0;
    let minGapViolations = 0;
    const perChat = {};
    for (const [i, chatId] of chats.entries()) {
      const mine = calls.filter((c) => c.chatId === chatId && c.answer === 200);
      const named = mine.map((c) => /#(\d+) ·/.exec(c.text ?? '')?.[1]).filter((id) => id !== undefined);
      const covered = mine.reduce((sum, c) => sum + (digestCount(c.text ?? '') ?? 0), 0);
      duplicates += named.length - new Set(named).size + Math.max(0, named.length + covered - accepted);
      singles += named.length;
      digests += mine.length - named.length;
      const interval = Number(i < GROUPS ? env.NOTIFY_GROUP_INTERVAL_MS : env.NOTIFY_CHAT_INTERVAL_MS);
      const gaps = mine.slice(1).map((c, k) => c.at - mine[k].at);
      // Measured on arrival here, so the server's and this process's event-loop delays are in it
      // (tens of ms on a loaded machine): a gap counts as a violation below 90 % of the rule.
      minGapViolations += gaps.filter((g) => g < interval * 0.9).length;
      perChat[chatId] = {
        messages: mine.length,
        singles: named.length,
        digested: covered,
        min_gap_ms: gaps.length ? round(Math.min(...gaps)) : null,
        rule_ms: interval,
      };
    }

    const result = {
      bench: 'notify',
      backend: BACKEND,
      events: EVENTS,
      accepted,
      bots: BOTS,
      group_chats: GROUPS,
      scale: SCALE,
      rules,
      ingest_posted_per_s: Math.round((EVENTS / postedMs) * 1000),
      deliveries: rows.length,
      expected_deliveries: expected,
      deliveries_per_s: Math.round((rows.length / Math.max(1, lastFinished - firstReceived)) * 1000),
      messages: calls.filter((c) => c.answer === 200).length,
      singles,
      digests,
      lag_ms: {
        max: round(lags.at(-1) ?? 0),
        p50: round(pct(lags, 50) ?? 0),
        p99: round(pct(lags, 99) ?? 0),
      },
      duplicates,
      lost,
      pacing_violations: minGapViolations,
      per_chat: perChat,
      elapsed_s: round(doneMs / 1000),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const lagBound = Number(env.NOTIFY_MAX_LAG_MS);
    const pass = duplicates === 0 && lost === 0 && minGapViolations === 0 && result.lag_ms.max <= lagBound;
    log(
      `${pass ? 'PASS' : 'FAIL'}: ${result.deliveries}/${expected} deliveries in ${result.elapsed_s} s, ` +
        `${result.deliveries_per_s}/s; ${result.messages} messages (${singles} single, ${digests} digests); ` +
        `lag max ${result.lag_ms.max} ms p99 ${result.lag_ms.p99} ms; duplicates ${duplicates}, lost ${lost}, ` +
        `pacing violations ${minGapViolations}; lag bound ${lagBound} ms`,
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    if (server) await stopProcess(server.proc);
    await fake.close();
    await backend.cleanup();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
