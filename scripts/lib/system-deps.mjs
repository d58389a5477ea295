/**
 * System packages the test suite needs, installed with Debian's apt when missing.
 *
 *  - postgresql: server binaries (initdb, pg_ctl) for the throwaway test cluster,
 *    found under /usr/lib/postgresql/<version>/bin (newest version wins).
 *  - chromium: /usr/bin/chromium, for end-to-end tests. Browsers are never
 *    downloaded any other way (no `playwright install`).
 *
 * apt-get runs only when something is missing; as a non-root user we fail with
 * the command to run instead. Set PG_BIN_DIR to use server binaries elsewhere.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const PG_ROOT = '/usr/lib/postgresql';

/** Directory holding initdb/pg_ctl, or null when no PostgreSQL server is installed. */
export function findPgBinDir() {
  const override = process.env.PG_BIN_DIR;
  if (override) return existsSync(join(override, 'initdb')) ? override : null;
  if (!existsSync(PG_ROOT)) return null;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions.length > 0 ? join(PG_ROOT, versions[0], 'bin') : null;
}

function missingPackages() {
  const missing = [];
  if (!findPgBinDir()) missing.push('postgresql');
  if (!existsSync(CHROMIUM_PATH)) missing.push('chromium');
  return missing;
}

function run(cmd, args, env) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Make sure postgresql and chromium are installed; throws with a readable
 * message when they are missing and cannot be installed.
 */
export async function ensureSystemDeps() {
  const missing = missingPackages();
  if (missing.length === 0) {
    console.log(`system deps: ok (postgresql at ${findPgBinDir()}, chromium at ${CHROMIUM_PATH})`);
    return;
  }
  console.log(`system deps: missing ${missing.join(', ')}`);
  const list = missing.join(' ');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      `missing system packages (${missing.join(', ')}) and not running as root; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${list}`,
    );
  }
  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing system packages (${missing.join(', ')}) and apt-get is not available`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], env);
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], env);
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
  console.log(`system deps: installed ${missing.join(', ')} (postgresql at ${findPgBinDir()})`);
}
