/**
 * `npm run bench:web` — how fast the panel becomes usable in a real browser (Debian's headless
 * Chromium) over a large database.
 *
 *   node bench/web.mjs [--db /tmp/affpanel-bench-web.db] [--events 10000000] [--runs 5]
 *
 * Uses the SQLite file given by --db (or DATABASE_URL), filling it with the demo generator first
 * when it has no events (--events, default 10,000,000: about 13 minutes on 2 cores; the file is
 * kept for the next run). Starts the built server (dist/) on a free loopback port, logs in as an
 * admin with a one-time link, then for each page (dashboard, events, stats) opens it --runs times
 * in a fresh browser context (empty cache: a first visit) and records
 *   - lcp_ms: the largest contentful paint the browser reports, and
 *   - data_ms: the time from navigation start until the page shows its data (the KPI cards and
 *     the feed; the event rows and their total; the breakdown rows), seen by a MutationObserver.
 * One JSON line per page (median and worst of the runs) on stdout; the target is < 1500 ms each.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { freePort, log, parseFlags, waitFor200 } from './lib/util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags(process.argv.slice(2), { db: 'string', events: 'number', runs: 'number' });
const RUNS = flags.runs ?? 5;
const EVENTS = flags.events ?? 10_000_000;
const TARGET_MS = 1500;
const databaseUrl = process.env.DATABASE_URL ?? `sqlite:${flags.db ?? join('/tmp', 'affpanel-bench-web.db')}`;
if (!databaseUrl.startsWith('sqlite:')) throw new Error('bench:web runs on a SQLite file (--db)');

/** What "usable" means per page: the selectors that show its data are all present. */
const PAGES = [
  {
    name: 'dashboard',
    path: '/',
    ready: [
      '[data-kpi="CPA"][aria-busy="false"]',
      '[data-testid="activity-chart"]',
      '[data-testid="recent-feed"] li',
    ],
  },
  { name: 'events', path: '/events', ready: ['[data-testid="events-total"]', 'table tbody tr'] },
  { name: 'stats', path: '/stats', ready: ['[data-testid="stats-rows"]', 'table tbody tr'] },
];

const env = (port) => ({
  ...process.env,
  DATABASE_URL: databaseUrl,
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  LOG_LEVEL: 'warn',
});

const cli = (args, port) =>
  execFileSync(process.execPath, ['bin/affpanel.js', ...args], {
    cwd: root,
    env: env(port),
    encoding: 'utf8',
  });

function eventCount(port) {
  // `source list` prints one line per source; no sources means no demo data yet.
  const sources = cli(['source', 'list'], port);
  return /\/postback\//.test(sources);
}

async function startServer(port) {
  const server = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: env(port),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
  });
  let exited = null;
  server.once('exit', (code) => {
    exited = `exited with ${code}`;
  });
  await waitFor200(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 120_000, aborted: () => exited });
  return { server, output: () => out };
}

async function adminLink(port, output) {
  const printed = /\/auth\/link\/[\w-]+/.exec(output());
  if (printed) return printed[0];
  // An admin logged in before: ask the CLI for a link for the first approved admin.
  const users = cli(['user', 'list'], port);
  const admin = /^\s*(\d+)\s.*\badmin\b.*\bapproved\b/m.exec(users);
  if (!admin) throw new Error(`no approved admin in:\n${users}`);
  const link = /\/auth\/link\/[\w-]+/.exec(cli(['user', 'link', admin[1]], port));
  if (!link) throw new Error('affpanel user link printed no link');
  return link[0];
}

/** Runs in the page before any script: records LCP and the moment every `ready` selector matches. */
function observe(ready) {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lcp = entry.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  const check = () => {
    if (window.__dataAt === undefined && ready.every((s) => document.querySelector(s))) {
      window.__dataAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
}

async function measure(browser, base, storageState, page) {
  const ctx = await browser.newContext({
    baseURL: base,
    viewport: { width: 1440, height: 900 },
    storageState,
    locale: 'en-US',
  });
  const tab = await ctx.newPage();
  await tab.addInitScript(observe, page.ready);
  await tab.goto(page.path, { waitUntil: 'commit' });
  await tab.waitForFunction(() => window.__dataAt !== undefined, null, { timeout: 60_000, polling: 50 });
  // LCP may still move to a later, larger element shortly after the data arrives.
  await tab.waitForTimeout(300);
  const result = await tab.evaluate(() => ({ data_ms: window.__dataAt, lcp_ms: window.__lcp }));
  await ctx.close();
  return result;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const round = (n) => Math.round(n);

async function main() {
  const dbFile = databaseUrl.slice('sqlite:'.length);
  if (process.env.SKIP_BUILD !== '1')
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const port = await freePort();
  if (!existsSync(dbFile) || !eventCount(port)) {
    log(`filling ${dbFile} with ${EVENTS.toLocaleString('en-US')} demo events (once)`);
    execFileSync(process.execPath, ['bin/affpanel.js', 'demo', '--events', String(EVENTS)], {
      cwd: root,
      env: env(port),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const { server, output } = await startServer(port);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  try {
    const login = await browser.newContext({ baseURL: base });
    const res = await login.request.get(await adminLink(port, output), { maxRedirects: 0 });
    if (res.status() !== 303) throw new Error(`the login link answered ${res.status()}`);
    const storageState = await login.storageState();
    await login.close();
    // One untimed visit per page warms the server (statement cache, the derived-rollup catch-up).
    for (const page of PAGES) await measure(browser, base, storageState, page);
    for (const page of PAGES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, base, storageState, page));
      const data = runs.map((r) => r.data_ms);
      const lcp = runs.map((r) => r.lcp_ms);
      const line = {
        page: page.name,
        runs: RUNS,
        data_ms_median: round(median(data)),
        data_ms_max: round(Math.max(...data)),
        lcp_ms_median: round(median(lcp)),
        lcp_ms_max: round(Math.max(...lcp)),
        target_ms: TARGET_MS,
        met: Math.max(...data, ...lcp) < TARGET_MS,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

await main();
