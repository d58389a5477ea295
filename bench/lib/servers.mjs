/**
 * The processes under load: the bare node:http baseline and the built AFFPanel server
 * (`node dist/main.js`). Every child is tracked so that an aborted benchmark (error, SIGINT)
 * leaves nothing running.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, log, waitFor200 } from './util.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));
export const MAIN_JS = `${ROOT}dist/main.js`;

/** Children still running, killed on exit. */
const live = new Set();

/** Synchronous last resort (process 'exit' handler): SIGKILL every child still running. */
export function killAllChildren() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  live.clear();
}

function track(child) {
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/**
 * Starts a child and collects its output. `exited` resolves with { code, signal } when it ends.
 */
function startChild(file, args, { env, cwd }) {
  const child = track(spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  const proc = { child, pid: child.pid, stdout: '', stderr: '', exitInfo: null };
  proc.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      proc.exitInfo = { code, signal };
      resolve(proc.exitInfo);
    });
  });
  child.stdout.on('data', (d) => {
    proc.stdout += d;
  });
  child.stderr.on('data', (d) => {
    proc.stderr += d;
    if (proc.stderr.length > 1_000_000) proc.stderr = proc.stderr.slice(-500_000);
  });
  child.on('error', (err) => {
    proc.stderr += `\nspawn error: ${err.message}`;
  });
  return proc;
}

/** SIGTERM, wait up to `timeoutMs` for the exit, then SIGKILL. Resolves with how it ended. */
export async function stopProcess(proc, timeoutMs = 40_000) {
  if (proc.exitInfo) return { ...proc.exitInfo, stopMs: 0, killed: false };
  const t0 = performance.now();
  proc.child.kill('SIGTERM');
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const first = await Promise.race([proc.exited, timedOut]);
  clearTimeout(timer);
  let killed = false;
  if (first === 'timeout') {
    log(`pid ${proc.pid} did not stop within ${timeoutMs} ms of SIGTERM: SIGKILL`);
    proc.child.kill('SIGKILL');
    killed = true;
    await proc.exited;
  }
  return { ...proc.exitInfo, stopMs: Math.round(performance.now() - t0), killed };
}

const lastLines = (text, n = 30) => text.trimEnd().split('\n').slice(-n).join('\n');

/** Starts bench/lib/bare-server.mjs on a free loopback port; resolves with { proc, port, baseUrl }. */
export async function startBareServer() {
  const proc = startChild(process.execPath, [BARE_SERVER, '0'], { env: process.env, cwd: ROOT });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare server did not start within 10 s')), 10_000);
    const onData = () => {
      const m = /^listening (\d+)$/m.exec(proc.stdout);
      if (m) {
        clearTimeout(timer);
        proc.child.stdout.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.child.stdout.on('data', onData);
    proc.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`bare server exited early:\n${lastLines(proc.stderr)}`));
    });
  });
  return { proc, port, baseUrl: `http://127.0.0.1:${port}` };
}

const KEY_LINE = /\/postback\/cellxpert\?key=([A-Za-z0-9_~.-]+)/;

/**
 * Starts `node dist/main.js` on a free loopback port with `databaseUrl`, waits for /readyz = 200
 * and reads the cellxpert key from the seeding printout (or from `readKey()` when not printed).
 * @param {{ databaseUrl: string, cwd: string, nodeArgs?: string[], env?: Record<string,string>,
 *   readKey: () => Promise<string | null> }} o
 */
export async function startAppServer(o) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const env = {
      ...process.env,
      ...o.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: o.databaseUrl,
      LOG_LEVEL: 'warn',
    };
    delete env.PUBLIC_BASE_URL;
    const proc = startChild(process.execPath, [...(o.nodeArgs ?? []), MAIN_JS], { env, cwd: o.cwd });
    const baseUrl = `http://127.0.0.1:${port}`;
    const t0 = performance.now();
    try {
      await waitFor200(`${baseUrl}/readyz`, {
        timeoutMs: 60_000,
        aborted: () =>
          proc.exitInfo && `server exited (${proc.exitInfo.signal ?? `code ${proc.exitInfo.code}`})`,
      });
    } catch (err) {
      await stopProcess(proc, 5000);
      const output = lastLines(`${proc.stdout}\n${proc.stderr}`);
      if (attempt < 3 && /EADDRINUSE/.test(output)) {
        log(`port ${port} was taken, retrying`);
        continue;
      }
      throw new Error(`${err.message}\n--- server output ---\n${output}`);
    }
    const readyMs = Math.round(performance.now() - t0);
    const key = KEY_LINE.exec(proc.stdout)?.[1] ?? (await o.readKey());
    if (!key) {
      await stopProcess(proc, 5000);
      throw new Error('could not find the cellxpert source key (not printed, not in the database)');
    }
    return { proc, port, baseUrl, key, readyMs, env };
  }
}
