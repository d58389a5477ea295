/**
 * `npm test`: the whole test suite, as CI runs it.
 *
 * Stages, in order (all run even when one fails, except that nothing runs
 * without the system packages):
 *   1. system deps          apt-get install postgresql / chromium when missing
 *   2. biome                npx biome check .
 *   3. tsc                  npx tsc --noEmit -p tsconfig.json, then -p web/tsconfig.json (panel + e2e)
 *   4. unit                 npx vitest run --project unit
 *   5. integration sqlite   vitest integration project, AFFPANEL_TEST_DB=sqlite
 *   6. integration postgres same against a throwaway cluster (scripts/lib/pg-cluster.mjs)
 *   7. e2e                  npx playwright test (Debian chromium), when test/e2e has *.spec.ts files
 *
 * Ends with one summary line per stage and, last, `N passed, M failed` counting
 * stages (`, K skipped` appended when a stage had nothing to run). Exits 1 when
 * any stage failed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPgCluster } from './lib/pg-cluster.mjs';
import { CHROMIUM_PATH, ensureSystemDeps } from './lib/system-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** @type {{ name: string, status: 'passed' | 'failed' | 'skipped', ms: number }[]} */
const results = [];
let current = null; // running child process, for signal forwarding

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\ntest: ${signal}, stopping`);
    // npx does not pass signals on, so children get their own process group.
    if (current?.pid) {
      try {
        process.kill(-current.pid, signal);
      } catch {}
    }
    process.exit(signal === 'SIGINT' ? 130 : 143); // pg-cluster's exit hook stops the cluster
  });
}

/** Run a command with inherited stdio; rejects when it exits non-zero. */
function run(cmd, args, env = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
      detached: true,
    });
    current = child;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      current = null;
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** `npx --no` never downloads a package that is not in node_modules. */
const npx = (args, env) => run('npx', ['--no', '--', ...args], env);

const SKIP = Symbol('skip');

/** Run one stage; fn returns SKIP when there was nothing to do, throws on failure. */
async function stage(name, fn) {
  console.log(`\n=== ${name} ===`);
  const start = performance.now();
  let status = 'passed';
  try {
    if ((await fn()) === SKIP) status = 'skipped';
  } catch (err) {
    status = 'failed';
    console.error(`${name}: ${err instanceof Error ? err.message : err}`);
  }
  const ms = performance.now() - start;
  results.push({ name, status, ms });
  console.log(`=== ${name}: ${status} (${seconds(ms)}) ===`);
  return status;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

function filesUnder(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix) && !f.split(/[\\/]/).includes('node_modules'));
}

function summary() {
  console.log('\n=== summary ===');
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(`${r.status.padEnd(7)}  ${r.name.padEnd(width)}  ${seconds(r.ms).padStart(7)}`);
  }
  const count = (status) => results.filter((r) => r.status === status).length;
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return count('failed') === 0;
}

async function main() {
  if ((await stage('system deps', ensureSystemDeps)) === 'failed') {
    console.error('test: system packages missing, not running the other stages');
    return summary();
  }

  await stage('biome', () => npx(['biome', 'check', '.']));
  await stage('tsc', async () => {
    await npx(['tsc', '--noEmit', '-p', 'tsconfig.json']);
    await npx(['tsc', '--noEmit', '-p', 'web/tsconfig.json']);
  });
  // The built server is what end-to-end and built-server integration tests start.
  await stage('build', () => run('npm', ['run', 'build']));
  await stage('unit', () => npx(['vitest', 'run', '--project', 'unit']));

  const integrationFiles = filesUnder('test/integration', '.test.ts');
  const integration = (db) => {
    if (integrationFiles.length === 0) {
      console.log('integration: no test files');
      return SKIP;
    }
    return npx(['vitest', 'run', '--project', 'integration'], { AFFPANEL_TEST_DB: db });
  };
  await stage('integration sqlite', () => integration('sqlite'));
  await stage('integration postgres', async () => {
    if (integrationFiles.length === 0) return integration('');
    const cluster = await startPgCluster();
    try {
      await integration(cluster.url);
    } finally {
      await cluster.stop();
    }
  });

  await stage('e2e', () => {
    const specs = filesUnder('test/e2e', '.spec.ts');
    if (specs.length === 0) {
      console.log('e2e: no test/e2e/*.spec.ts files');
      return SKIP;
    }
    return npx(['playwright', 'test'], { CHROMIUM_PATH, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
  });

  return summary();
}

process.exitCode = (await main()) ? 0 : 1;
