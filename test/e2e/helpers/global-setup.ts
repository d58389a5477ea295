/**
 * Before the end-to-end run: build (unless E2E_SKIP_BUILD=1), make a demo database (20,000
 * events), start a fake Telegram Bot API (helpers/fake-telegram.ts), start `node dist/main.js` on
 * a free port with a Telegram login bot configured and bot messages going to the fake, and
 * save three browser sessions: the bootstrap admin (the one-time link printed on stdout), a
 * viewer the admin adds, and a first-time Telegram login that stays PENDING.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '@playwright/test';
import { startFakeTelegram } from './fake-telegram';
import { type E2EState, STATE_DIR, STATE_FILE, storageOf } from './state';
import { signedTelegramLogin } from './telegram';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BOT_TOKEN = '123456789:E2E_TEST_TOKEN_abcdefghijklmnopqrstuvwxyz';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command; its output is shown only when it fails. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Starts the server and resolves with the login link it prints (or rejects on exit/timeout). */
function startServer(env: Record<string, string>, logFile: string): Promise<{ pid: number; link: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not print a login link:\n${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      writeFileSync(logFile, output);
      const link = /(https?:\/\/\S+\/auth\/link\/[\w-]+)/.exec(output)?.[1];
      if (link && child.pid) {
        clearTimeout(timer);
        resolve({ pid: child.pid, link });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
    child.unref();
  });
}

async function saveTelegramSession(baseURL: string, user: { id: string; first_name: string }, file: string) {
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post('/api/auth/telegram', { data: signedTelegramLogin(BOT_TOKEN, user) });
  if (!res.ok()) throw new Error(`telegram login for ${user.id}: ${res.status()} ${await res.text()}`);
  await ctx.storageState({ path: file });
  await ctx.dispose();
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  if (process.env.E2E_SKIP_BUILD !== '1') run('npm', ['run', 'build', '--silent']);

  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'affpanel-e2e-db-'));
  const telegram = await startFakeTelegram();
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: `sqlite:${join(workDir, 'e2e.db')}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseURL,
    LOG_LEVEL: 'warn',
    TELEGRAM_LOGIN_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_LOGIN_BOT_NAME: 'affpanel_e2e_bot',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    TELEGRAM_API_BASE_URL: telegram.apiBaseUrl,
    // Specs read figures right after posting events and expect them exact: a read waits for the
    // whole fold, however slow the machine (the "figures pending" state has a spec of its own).
    READ_CATCH_UP_MS: '60000',
  };
  run(process.execPath, ['bin/affpanel.js', 'demo', '--events', '20000'], env);
  const sources = run(process.execPath, ['bin/affpanel.js', 'source', 'list'], env);
  const referon = /^referon\s.*?\/postback\/referon\?key=(\S+)/m.exec(sources);
  if (!referon?.[1]) throw new Error(`no referon source in:\n${sources}`);

  const server = await startServer(env, join(workDir, 'server.log'));

  // The admin: the one-time link sets the session cookie and redirects to the panel.
  const admin = await request.newContext({ baseURL });
  const login = await admin.get(server.link.replace(/^https?:\/\/[^/]+/, ''), { maxRedirects: 0 });
  if (login.status() !== 303) throw new Error(`admin link answered ${login.status()}`);
  await admin.storageState({ path: storageOf('admin') });
  const me = (await (await admin.get('/api/auth/me')).json()) as { csrfToken: string };
  const added = await admin.post('/api/admin/users', {
    headers: { 'x-csrf-token': me.csrfToken },
    data: { telegramId: '7000001', firstName: 'Vera', lastName: 'Viewer', username: 'vera', role: 'viewer' },
  });
  if (added.status() !== 201) throw new Error(`adding the viewer: ${added.status()} ${await added.text()}`);
  await admin.dispose();

  await saveTelegramSession(baseURL, { id: '7000001', first_name: 'Vera' }, storageOf('viewer'));
  await saveTelegramSession(baseURL, { id: '7000002', first_name: 'Pat' }, storageOf('pending'));

  const state: E2EState = {
    baseURL,
    databaseUrl: env.DATABASE_URL,
    serverPid: server.pid,
    workDir,
    botToken: BOT_TOKEN,
    sessions: { admin: storageOf('admin'), viewer: storageOf('viewer'), pending: storageOf('pending') },
    postback: { slug: 'referon', key: referon[1] },
    telegram,
  };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  process.env.E2E_BASE_URL = baseURL;
  console.log(`e2e: server on ${baseURL} (setup ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
