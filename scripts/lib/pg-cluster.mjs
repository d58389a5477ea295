/**
 * Throwaway PostgreSQL cluster for integration tests and benchmarks.
 *
 *   const pg = await startPgCluster();                  // fast: fsync etc. off
 *   const pg = await startPgCluster({ durable: true }); // real fsync, for benchmarks
 *   ... use pg.url (postgres://postgres@127.0.0.1:PORT/postgres) ...
 *   await pg.stop();                                    // pg_ctl -m fast stop + rm -r
 *
 * The cluster lives in a mkdtemp dir under os.tmpdir() (data/, server log and
 * unix socket), listens on a free loopback port and trusts every local login.
 * initdb refuses to run as root, so as root every server command runs as the
 * `postgres` OS user via runuser. Clusters still running when the process exits
 * or gets SIGINT/SIGTERM are stopped synchronously.
 *
 * Run directly (`node scripts/lib/pg-cluster.mjs [--durable]`) to get a cluster
 * that stays up until Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPgBinDir } from './system-deps.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const log = (msg) => console.error(`[pg] ${msg}`);

/** Clusters not yet stopped, for cleanup on exit/signals. */
const active = new Set();

/** Wrap a command so it runs as the postgres OS user when we are root. */
function asPostgres(cmd, args) {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** Run a server command, capturing its output; rejects with that output on failure. */
function exec(cmd, args, cwd) {
  const [file, argv] = asPostgres(cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${basename(cmd)} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

function execSync(cmd, args, cwd) {
  const [file, argv] = asPostgres(cmd, args);
  return spawnSync(file, argv, { cwd, stdio: 'ignore', timeout: 30_000 }).status === 0;
}

function postgresOwner() {
  const id = (flag) => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('no `postgres` OS user (is the postgresql package installed?)');
    return Number(r.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** A loopback port that was free a moment ago (the server may still lose a race for it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function onExit() {
  for (const cluster of [...active]) cluster.stopSync();
}

function onSignal(signal) {
  log(`${signal}: stopping ${active.size} cluster(s)`);
  process.exit(signal === 'SIGINT' ? 130 : 143); // runs onExit
}

function track(cluster) {
  if (active.size === 0) {
    process.on('exit', onExit);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  active.add(cluster);
}

function untrack(cluster) {
  if (!active.delete(cluster) || active.size > 0) return;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/**
 * Create, start and return a fresh cluster.
 * @param {{ durable?: boolean }} [options] durable keeps fsync, synchronous_commit
 *   and full_page_writes on (benchmarks measuring real durability); default off.
 * @returns {Promise<{ url: string, port: number, dir: string, stop(): Promise<void> }>}
 */
export async function startPgCluster({ durable = false } = {}) {
  const bin = findPgBinDir();
  if (!bin)
    throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN_DIR)');
  const initdb = join(bin, 'initdb');
  const pgCtl = join(bin, 'pg_ctl');

  const dir = mkdtempSync(join(tmpdir(), 'affpanel-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  let stopped = false;

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const killLeftover = () => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT'); // immediate shutdown when pg_ctl could not stop it
    } catch {}
  };

  const cluster = {
    url: '',
    port: 0,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (existsSync(join(data, 'postmaster.pid'))) {
          await exec(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], dir);
          log(`stopped 127.0.0.1:${cluster.port}`);
        }
      } catch (err) {
        log(`pg_ctl stop failed, killing the server: ${err.message}`);
        killLeftover();
      } finally {
        removeDir();
        untrack(cluster);
      }
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      if (existsSync(join(data, 'postmaster.pid'))) {
        if (!execSync(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], dir)) killLeftover();
      }
      removeDir();
      untrack(cluster);
    },
  };
  track(cluster);

  try {
    if (isRoot) {
      const { uid, gid } = postgresOwner();
      chownSync(dir, uid, gid);
    }
    const version = (await exec(join(bin, 'postgres'), ['--version'], dir)).trim();
    log(`initdb ${data} (${version})`);
    await exec(
      initdb,
      ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'],
      dir,
    );

    const settings = ['listen_addresses=127.0.0.1', 'max_connections=200'];
    if (!durable) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off');
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // pg_ctl hands -o to /bin/sh, hence the quoted socket dir.
      const opts = `-p ${port} -k '${dir}' ${settings.map((s) => `-c ${s}`).join(' ')}`;
      try {
        await exec(pgCtl, ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', opts, 'start'], dir);
        cluster.port = port;
        break;
      } catch (err) {
        const serverLog = tail(logFile);
        if (attempt < 3 && /could not bind|address already in use/i.test(serverLog)) {
          log(`port ${port} was taken, retrying`);
          continue;
        }
        throw new Error(`${err.message}\n--- ${logFile} ---\n${serverLog}`);
      }
    }
    cluster.url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
    log(`started ${cluster.url} (${durable ? 'durable: fsync on' : 'fsync off'})`);
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cluster = await startPgCluster({ durable: process.argv.includes('--durable') });
  console.log(cluster.url);
  log('press Ctrl-C to stop');
  setInterval(() => {}, 1 << 30);
}
