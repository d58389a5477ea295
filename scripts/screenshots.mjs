/**
 * `npm run screenshots`: a PNG of every built page of the panel at 1440 px and 390 px wide, with
 * demo data, into docs/screenshots/ (NAME-1440.png, NAME-390.png). Builds first unless
 * SKIP_BUILD=1; runs its own server on a free port over a temporary demo database (20,000
 * events), in Debian's headless Chromium. Only pages listed in PAGES are taken.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'screenshots');
const BOT_TOKEN = '123456789:SCREENSHOT_TOKEN_abcdefghijklmnopqrstuv';

/** name, path, who, and an optional action before the shot. */
const PAGES = [
  { name: 'login', path: '/login', who: 'anonymous' },
  { name: 'pending', path: '/', who: 'pending' },
  { name: 'dashboard', path: '/' },
  { name: 'dashboard-this-month', path: '/?period=this_month' },
  { name: 'events', path: '/events' },
  { name: 'events-detail', path: '/events?event=19990', panel: true },
  { name: 'events-empty', path: '/events?tag=no-such-tag' },
  { name: 'stats', path: '/stats' },
  { name: 'stats-by-tag', path: '/stats?dimension=tag&period=this_month' },
  { name: 'compare', path: '/compare' },
  { name: 'compare-custom', path: '/compare?mode=custom' },
  { name: 'brands', path: '/brands' },
  { name: 'brand', path: '/brands/joka' },
  { name: 'sources', path: '/sources' },
  { name: 'affiliates', path: '/affiliates' },
  { name: 'affiliate', path: '/affiliates/17919?period=this_month' },
  { name: 'deals', path: '/deals?problems=true' },
  { name: 'deals-detail', path: '/deals?problems=true&deal=casombie/cparound' },
  { name: 'broken-tags', path: '/admin/broken-tags' },
  { name: 'links', path: '/links?source=referon&brand=joka' },
  { name: 'sources-admin', path: '/admin/sources' },
  { name: 'brands-admin', path: '/admin/brands' },
  { name: 'rejections', path: '/admin/rejections' },
  { name: 'import', path: '/admin/import' },
  { name: 'bots', path: '/settings/bots' },
  { name: 'audit', path: '/admin/audit' },
  { name: 'users', path: '/settings/users' },
  { name: 'api-clients', path: '/settings/api-clients' },
  { name: 'settings', path: '/settings' },
  { name: 'no-access', path: '/settings/users', who: 'viewer' },
];
const WIDTHS = [1440, 390];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function telegramLogin(id, firstName) {
  const data = { id, first_name: firstName, auth_date: String(Math.floor(Date.now() / 1000)) };
  const check = Object.keys(data)
    .sort()
    .map((k) => `${k}=${data[k]}`)
    .join('\n');
  const secret = createHash('sha256').update(BOT_TOKEN).digest();
  return new URLSearchParams({ ...data, hash: createHmac('sha256', secret).update(check).digest('hex') });
}

async function main() {
  if (process.env.SKIP_BUILD !== '1')
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'affpanel-shots-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${join(work, 'shots.db')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: base,
    LOG_LEVEL: 'warn',
    TELEGRAM_LOGIN_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_LOGIN_BOT_NAME: 'affpanel_demo_bot',
  };
  execFileSync(process.execPath, ['bin/affpanel.js', 'demo', '--events', '20000'], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  const server = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const link = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /\/auth\/link\/[\w-]+/.exec(out);
      if (match) resolve(match[0]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });

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
    const sessions = {};
    const admin = await browser.newContext({ baseURL: base });
    await admin.request.get(link, { maxRedirects: 0 });
    sessions.admin = await admin.storageState();
    const me = await (await admin.request.get('/api/auth/me')).json();
    await admin.request.post('/api/admin/users', {
      headers: { 'x-csrf-token': me.csrfToken },
      data: { telegramId: '7000001', firstName: 'Vera', lastName: 'Viewer', role: 'viewer' },
    });
    await admin.close();
    for (const [who, id, name] of [
      ['viewer', '7000001', 'Vera'],
      ['pending', '7000002', 'Pat'],
    ]) {
      const ctx = await browser.newContext({ baseURL: base });
      await ctx.request.get(`/auth/telegram/callback?${telegramLogin(id, name)}`, { maxRedirects: 0 });
      sessions[who] = await ctx.storageState();
      await ctx.close();
    }
    sessions.anonymous = { cookies: [], origins: [] };

    mkdirSync(outDir, { recursive: true });
    for (const width of WIDTHS) {
      for (const shot of PAGES) {
        const ctx = await browser.newContext({
          baseURL: base,
          viewport: { width, height: width < 600 ? 844 : 900 },
          deviceScaleFactor: 1,
          storageState: sessions[shot.who ?? 'admin'],
          locale: 'en-US',
          timezoneId: 'Europe/Madrid',
        });
        const page = await ctx.newPage();
        await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
        await page.goto(shot.path);
        await page.waitForLoadState('networkidle');
        await page
          .locator('[aria-busy="true"]')
          .first()
          .waitFor({ state: 'detached', timeout: 10_000 })
          .catch(() => {});
        if (shot.action) {
          await shot.action(page);
          await page.waitForLoadState('networkidle');
        }
        await page.waitForTimeout(300);
        const file = join(outDir, `${shot.name}-${width}.png`);
        await page.screenshot({
          path: file,
          fullPage: !shot.action && !shot.panel && !shot.path.includes('deal='),
        });
        console.log(`screenshots: ${file.slice(root.length + 1)}`);
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
