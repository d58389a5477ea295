/**
 * `npm run security:sqlmap`: runs Debian's sqlmap against a freshly built AFFPanel on 127.0.0.1
 * (temp SQLite database): the postback endpoint, the event API, the login endpoints and the
 * read/admin APIs with a real session and token. Bounded: each target has a time limit and the
 * server is stopped at the end. Prints one JSON line per target and exits 1 if sqlmap reports
 * an injectable parameter. Not part of `npm test` (it takes minutes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const PER_TARGET_SECONDS = Number(process.env.SQLMAP_TARGET_SECONDS ?? 240);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ensureSqlmap() {
  if (spawnSync('which', ['sqlmap']).status === 0) return;
  console.error('[scan] installing sqlmap (Debian package)');
  const r = spawnSync(
    'sh',
    [
      '-c',
      'apt-get install -y --no-install-recommends sqlmap || (apt-get update && apt-get install -y --no-install-recommends sqlmap)',
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
  if (r.status !== 0) throw new Error('sqlmap could not be installed');
}

async function main() {
  ensureSqlmap();
  const dir = mkdtempSync(join(tmpdir(), 'affpanel-sqlmap-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${dir}/scan.db`,
    LOG_LEVEL: 'warn',
    PUBLIC_BASE_URL: base,
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    TELEGRAM_LOGIN_BOT_TOKEN: '123456:SCANSCANSCANSCANSCANSCANSCAN',
  };
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const server = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
  });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    for (let i = 0; i < 100 && !out.includes('/auth/link/'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const key = /\/postback\/cellxpert\?key=(\S+)/.exec(out)?.[1];
    const link = /(http\S+\/auth\/link\/\S+)/.exec(out)?.[1];
    if (!key || !link) throw new Error(`server did not print a key and a login link:\n${out}`);
    // Log in as the bootstrap admin and make an API client through the real API.
    const login = await fetch(link, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const me = await (await fetch(`${base}/api/auth/me`, { headers: { cookie } })).json();
    const created = await fetch(`${base}/api/admin/api-clients`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'scanner', rateLimitPerMinute: 100000 }),
    });
    const { token } = await created.json();

    const targets = [
      {
        name: 'postback GET',
        args: [
          '-u',
          `${base}/postback/cellxpert?key=${key}&event=ftd&brand=scan&affiliateid=7&afp=sub1&trackingcode=TAG_1&userid=u1&depositid=d1&amount=10.00&currency=EUR&isocountry=ES`,
          '-p',
          'event,brand,affiliateid,afp,trackingcode,userid,depositid,amount,currency,isocountry',
        ],
      },
      {
        name: 'postback POST form',
        args: [
          '-u',
          `${base}/postback/cellxpert`,
          '--data',
          `key=${key}&event=reg&brand=scan&affiliateid=7&userid=u2&trackingcode=TAG_2`,
          '-p',
          'event,brand,affiliateid,userid,trackingcode',
        ],
      },
      {
        name: 'event API JSON',
        args: [
          '-u',
          `${base}/api/v1/events`,
          '--data',
          '{"source":"cellxpert","event":"reg","brand":"scan","affiliate_id":"7","external_uid":"u3","tracking_tag":"TAG_3"}',
          '--headers',
          `Authorization: Bearer ${token}\nContent-Type: application/json`,
        ],
      },
      {
        name: 'telegram login',
        args: [
          '-u',
          `${base}/auth/telegram/callback?id=1&first_name=a&username=b&auth_date=1700000000&hash=${'0'.repeat(64)}`,
          '-p',
          'id,first_name,username,auth_date,hash',
        ],
      },
      { name: 'login link', args: ['-u', `${base}/auth/link/abcdefghijklmnopqrstuvwxyz012345*`] },
      {
        name: 'admin audit',
        args: [
          '-u',
          `${base}/api/admin/audit?action=login.success&actor=cli&targetType=user&targetId=1`,
          '--cookie',
          cookie,
          '-p',
          'action,actor,targetType,targetId',
        ],
      },
    ];
    // Read routes of the analytics API, when present.
    for (const path of [
      '/api/v1/events?brand=scan&source=cellxpert&tag=TAG_1',
      '/api/v1/stats?dimension=tag&search=TAG',
      '/api/v1/brands?search=scan',
    ]) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 404) {
        const params = new URL(`${base}${path}`).searchParams;
        targets.push({
          name: `read ${path.split('?')[0]}`,
          args: [
            '-u',
            `${base}${path}`,
            '--headers',
            `Authorization: Bearer ${token}`,
            '-p',
            [...params.keys()].join(','),
          ],
        });
      }
    }

    let vulnerable = 0;
    for (const target of targets) {
      const started = Date.now();
      const res = spawnSync(
        'timeout',
        [
          String(PER_TARGET_SECONDS),
          'sqlmap',
          '--batch',
          '--ignore-code=400,401,403,404,409,422,429',
          '--level=3',
          '--risk=1',
          '--threads=2',
          '--time-sec=2',
          '--timeout=10',
          '--retries=1',
          '--flush-session',
          `--output-dir=${dir}/sqlmap`,
          '--disable-coloring',
          ...target.args,
        ],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const text = `${res.stdout}\n${res.stderr}`;
      const injectable =
        /is vulnerable|appears to be .*injectable|sqlmap identified the following injection point/i.test(
          text,
        ) && !/do not appear to be injectable/i.test(text.split('\n').slice(-40).join('\n'));
      const clean =
        /all tested parameters do not appear to be injectable|does not seem to be injectable/i.test(text);
      if (injectable) vulnerable++;
      console.log(
        JSON.stringify({
          target: target.name,
          seconds: Math.round((Date.now() - started) / 1000),
          injectable,
          verdict: injectable ? 'INJECTABLE' : clean ? 'not injectable' : 'inconclusive',
          exit: res.status,
        }),
      );
    }
    console.log(JSON.stringify({ summary: 'sqlmap', targets: targets.length, injectable: vulnerable }));
    process.exitCode = vulnerable > 0 ? 1 : 0;
  } finally {
    stop();
    await new Promise((r) => server.once('exit', r));
    if (!process.env.SCAN_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
