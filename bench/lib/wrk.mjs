/**
 * wrk: make sure it is installed (Debian package `wrk`), run it with bench/wrk/postback.lua and
 * return the JSON its done() hook prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './util.mjs';

export const POSTBACK_LUA = fileURLToPath(new URL('../wrk/postback.lua', import.meta.url));

function whichWrk() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'wrk'))) return join(dir, 'wrk');
  }
  return null;
}

function aptGet(args) {
  log(`$ apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 300_000,
  });
  return r.status === 0;
}

/** The event ids of every "accepted" answer, from the per-thread files postback.lua wrote. */
function readAckedIds(prefix, threads) {
  const ids = [];
  for (let t = 1; t <= threads; t++) {
    const file = `${prefix}.${t}`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line !== '') ids.push(Number(line));
  }
  return ids;
}

/** Path of wrk, installing it with apt-get when missing (root only). */
export function ensureWrk() {
  const found = whichWrk();
  if (found) return found;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('wrk is not installed and we are not root; run: sudo apt-get install -y wrk');
  }
  if (!existsSync('/usr/bin/apt-get')) throw new Error('wrk is not installed and apt-get is not available');
  log('wrk not found, installing the Debian package');
  const install = ['install', '-y', '--no-install-recommends', 'wrk'];
  if (!aptGet(install)) {
    if (!aptGet(['update']) || !aptGet(install)) throw new Error('apt-get install wrk failed');
  }
  const path = whichWrk();
  if (!path) throw new Error('wrk still not found after apt-get install');
  return path;
}

/**
 * Runs wrk against `baseUrl` (loopback only) and resolves with its result:
 *   { requests, generated, duration_s, errors: {connect, read, write, status, timeout},
 *     body_checked, accepted_body, statuses: {"200": n, ...}, latency_ms: {p50, p90, p99, ...},
 *     pid, stdout }
 * @param {{ wrk: string, baseUrl: string, key: string, run: string, mode: 'body' | 'fast', idsFile?: string,
 *   threads: number, connections: number, durationS: number, timeoutS?: number,
 *   onStart?: (pid: number) => void }} o
 */
export function runWrk(o) {
  const url = new URL(o.baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`refusing to load anything but loopback (got ${url.hostname})`);
  }
  const args = [
    '-t',
    String(o.threads),
    '-c',
    String(o.connections),
    '-d',
    `${o.durationS}s`,
    '--timeout',
    `${o.timeoutS ?? 5}s`,
    '--latency',
    '-s',
    POSTBACK_LUA,
    o.baseUrl,
    '--',
    o.key,
    o.run,
    o.mode,
    ...(o.idsFile ? [o.idsFile] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(o.wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    o.onStart?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // wrk stops by itself after -d; this is only a guard against a hang.
    const guard = setTimeout(() => child.kill('SIGKILL'), (o.durationS + 30) * 1000);
    child.on('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const line = stdout.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`wrk failed (${signal ?? `exit ${code}`}):\n${stdout}\n${stderr}`.trim()));
        return;
      }
      const result = { ...JSON.parse(line.slice('WRK_RESULT '.length)), pid: child.pid, stdout };
      if (o.idsFile) result.ackedIds = readAckedIds(o.idsFile, o.threads);
      resolve(result);
    });
  });
}
