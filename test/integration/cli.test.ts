/**
 * The `affpanel` command line against a real database, without spawning a process: the command
 * functions and `runCli` with a captured output and a test configuration. Checks what is printed,
 * the exit codes (0 ok, 1 failure, 2 bad usage) and what ends up in the database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { migrateCommand } from '../../src/cli/migrate.js';
import { BufferedOutput } from '../../src/cli/output.js';
import { sourceAddCommand, sourceListCommand, sourceRotateKeyCommand } from '../../src/cli/source.js';
import { type Config, parseConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import { LATEST_MIGRATION, MIGRATIONS } from '../../src/db/migrate.js';
import type { SourceRow } from '../../src/db/schema.js';
import { createTestDatabaseUrl, type TestDatabase } from '../helpers/database-url.js';

let database: TestDatabase;
let config: Config;
let dir: string;
const getConfig = () => config;
/** For commands that must fail before touching the database. */
const noConfig = (): Config => {
  throw new Error('the configuration should not have been read');
};

beforeAll(async () => {
  database = await createTestDatabaseUrl('cli');
  config = parseConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'https://panel.example.com/',
    KEY_ROTATION_GRACE_SECONDS: '7200',
    INGEST_FLUSH_MS: '2',
  });
  dir = await mkdtemp(join(tmpdir(), 'affpanel-cli-'));
});

afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sourceRow(slug: string): Promise<SourceRow | undefined> {
  const ctx = await createContext(config);
  try {
    return await ctx.db.kysely.selectFrom('sources').selectAll().where('slug', '=', slug).executeTakeFirst();
  } finally {
    await ctx.close();
  }
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const output = new BufferedOutput();
  const code = await runCli(args, output, getConfig);
  return { code, out: output.text, err: output.errorText };
}

describe('migrate', () => {
  it('applies the migrations on a fresh database, then reports it up to date', async () => {
    const first = new BufferedOutput();
    expect(await migrateCommand({}, first, getConfig)).toBe(0);
    const names = Object.keys(MIGRATIONS).sort();
    expect(first.lines).toEqual([
      expect.stringMatching(new RegExp(`^Applied ${names.length} migrations? \\((sqlite|postgres)\\):$`)),
      ...names.map((n) => `  ${n}`),
    ]);

    const again = await cli('migrate');
    expect(again.code).toBe(0);
    expect(again.out).toContain(`is up to date: latest migration ${LATEST_MIGRATION}`);
  });
});

describe('source add / list / rotate-key', () => {
  it('adds a source and prints its key and postback URL', async () => {
    const output = new BufferedOutput();
    const code = await sourceAddCommand(
      {
        slug: 'Partner-Net',
        template: 'cellxpert',
        name: 'Partner Network',
        allow: ['10.0.0.0/8', '192.0.2.7'],
        defaultCurrency: 'eur',
      },
      output,
      getConfig,
    );
    expect(code).toBe(0);
    const row = await sourceRow('partner-net');
    expect(row).toMatchObject({
      name: 'Partner Network',
      template: 'cellxpert',
      auth_mode: 'key',
      default_currency: 'EUR',
      ip_allowlist: JSON.stringify(['10.0.0.0/8', '192.0.2.7']),
    });
    const key = row?.secret_key ?? '';
    expect(output.text).toContain(`Key:          ${key}`);
    expect(output.text).toContain(`Postback URL: https://panel.example.com/postback/partner-net?key=${key}`);
    expect(output.text).toContain('Accepted from: 10.0.0.0/8, 192.0.2.7');
  });

  it('adds an HMAC source through runCli; its URL carries no key', async () => {
    const result = await cli('source', 'add', 'signed', '--template', 'generic', '--auth', 'hmac');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Postback URL: https://panel.example.com/postback/signed\n');
    expect((await sourceRow('signed'))?.auth_mode).toBe('hmac');
  });

  it('lists sources as a table with keys and URLs', async () => {
    const output = new BufferedOutput();
    expect(await sourceListCommand({}, output, getConfig)).toBe(0);
    const key = (await sourceRow('partner-net'))?.secret_key ?? '';
    const [head, rule, ...rows] = output.lines;
    expect(head?.split(/\s{2,}/)).toEqual(['SLUG', 'NAME', 'TEMPLATE', 'ACTIVE', 'KEY', 'POSTBACK URL']);
    expect(rule).toMatch(/^[- ]+$/);
    expect(rows.map((r) => r.split(/\s{2,}/))).toEqual([
      [
        'partner-net',
        'Partner Network',
        'cellxpert',
        'yes',
        key,
        `https://panel.example.com/postback/partner-net?key=${key}`,
      ],
      ['signed', 'SIGNED', 'generic', 'yes', expect.any(String), 'https://panel.example.com/postback/signed'],
    ]);
  });

  it('rotates a key and says until when the old one works', async () => {
    const before = await sourceRow('partner-net');
    const output = new BufferedOutput();
    const started = Date.now();
    expect(await sourceRotateKeyCommand({ slug: 'partner-net' }, output, getConfig)).toBe(0);
    const after = await sourceRow('partner-net');
    expect(after?.secret_key).not.toBe(before?.secret_key);
    expect(after?.previous_key).toBe(before?.secret_key);
    const until = after?.previous_key_expires_at ?? 0;
    expect(until).toBeGreaterThanOrEqual(started + 7200 * 1000);
    expect(output.lines[0]).toBe(`New key for "partner-net": ${after?.secret_key}`);
    const stamp = `${new Date(until).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    expect(output.text).toContain(`The old key keeps working until ${stamp} (2 h)`);
  });

  it('refuses bad usage with one clear line and exit code 2, before touching anything', async () => {
    const output = new BufferedOutput();
    const code = await runCli(['source', 'add', 'x', '--template', 'nope'], output, noConfig);
    expect(code).toBe(2);
    expect(output.errors).toEqual([
      'affpanel: unknown template "nope" (templates: referon, cellxpert, affise, cparound, generic)',
    ]);
    expect(output.lines).toEqual([]);

    const currency = await cli('source', 'add', 'x', '--template', 'generic', '--default-currency', 'euro');
    expect(currency.code).toBe(2);
    expect(currency.err).toMatch(/--default-currency must be a 3-letter ISO 4217 code/);

    const slug = await cli('source', 'add', 'Bad Slug!', '--template', 'generic');
    expect(slug.code).toBe(2);
    expect(slug.err).toBe('affpanel: invalid slug "Bad Slug!": letters, digits, - and _ only, up to 64');

    const cidr = await cli('source', 'add', 'x', '--template', 'generic', '--allow', '10.0.0.300');
    expect(cidr.code).toBe(2);
    expect(cidr.err).toBe('affpanel: invalid address or CIDR "10.0.0.300"');

    for (const args of [
      ['source', 'add', 'x'],
      ['source', 'add', 'x', '--template', 'generic', '--auth', 'password'],
      ['source', 'frobnicate'],
      ['nonsense'],
      [],
    ]) {
      expect((await runCli(args, new BufferedOutput(), noConfig)) === 2, args.join(' ')).toBe(true);
    }
    expect(await sourceRow('x')).toBeUndefined();
  });

  it('fails with exit code 1 when the source exists or is missing', async () => {
    const exists = await cli('source', 'add', 'signed', '--template', 'generic');
    expect(exists).toMatchObject({ code: 1, err: 'affpanel: source "signed" already exists' });
    const missing = await cli('source', 'rotate-key', 'ghost');
    expect(missing).toMatchObject({ code: 1, err: 'affpanel: no source "ghost"' });
  });

  it('prints the stack only with --verbose', async () => {
    const plain = await cli('source', 'rotate-key', 'ghost');
    expect(plain.err.split('\n')).toHaveLength(1);
    const verbose = await cli('source', 'rotate-key', 'ghost', '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.err).toMatch(/^affpanel: no source "ghost"\nAppError: no source "ghost"\n\s+at /);
  });
});

describe('configuration and help', () => {
  it('an invalid configuration is bad usage, reported on one line', async () => {
    const output = new BufferedOutput();
    const code = await runCli(['source', 'list'], output, () =>
      parseConfig({ DATABASE_URL: 'mysql://db/x' }),
    );
    expect(code).toBe(2);
    expect(output.errors).toEqual([
      'affpanel: Invalid configuration: DATABASE_URL: must start with sqlite: or postgres://',
    ]);
  });

  it('--help lists the commands and exits 0', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'source', 'user', 'demo', 'import'])
      expect(result.out).toContain(command);
  });
});

describe('demo', () => {
  it.each([
    [['--events', '0'], /--events must be a whole number from 1 to 100,000,000, not "0"/],
    [['--events', '100000001'], /--events must be a whole number from 1 to 100,000,000/],
    [['--events', '1.5'], /--events must be a whole number/],
    [['--events', '1e6'], /--events must be a whole number/],
    [['--events', '-5'], /--events must be a whole number/],
    [['--events', 'many'], /--events must be a whole number/],
    [['--days', '0'], /--days must be a whole number from 1 to 3,650/],
    [['--seed', '-1'], /--seed must be a whole number from 0 to 4,294,967,295/],
  ])('refuses %j with exit code 2 before opening the database', async (args, message) => {
    const output = new BufferedOutput();
    expect(await runCli(['demo', ...args], output, noConfig)).toBe(2);
    expect(output.errors).toHaveLength(1);
    expect(output.errorText).toMatch(message);
  });
});

describe('import', () => {
  async function csv(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  beforeAll(async () => {
    expect((await cli('source', 'add', 'crm', '--template', 'generic')).code).toBe(0);
  });

  it('imports a file, prints the summary and exits 0 when every row is accepted', async () => {
    const path = await csv('ok.csv', 'event,brand,transaction_id\nreg,clibrand,cli-1\nftd,clibrand,cli-2\n');
    const result = await cli('import', path, '--source', 'crm');
    expect(result.code).toBe(0);
    expect(result.out.split('\n')).toEqual([
      'Imported ok.csv into source "crm", sheet "ok":',
      '  rows:       2',
      '  accepted:   2',
      '  duplicates: 0',
      '  rejected:   0',
      expect.stringMatching(/^Done in \d+\.\d s\.$/),
    ]);
  });

  it('exits 1 and lists the errors by line when rows are rejected; good rows are stored', async () => {
    const path = await csv(
      'mixed.csv',
      'event,brand,transaction_id,amount,currency,Comment\nreg,clibrand,cli-3,,,\nftd,clibrand,cli-4,1;5,EUR,x\n',
    );
    const result = await cli('import', path, '--source', 'crm', '--sheet', 'Backfill');
    expect(result.code).toBe(1);
    expect(result.out).toContain('Imported mixed.csv into source "crm", sheet "Backfill":');
    expect(result.out).toContain('  accepted:   1\n');
    expect(result.out).toContain('  rejected:   1\n');
    expect(result.out).toContain('  ignored columns (no field for them in source "crm"): Comment');
    expect(result.out).toMatch(/Errors \(1\):\n {2}line 3: .+ \[invalid_amount\]/);
    const ctx = await createContext(config);
    try {
      const stored = await ctx.db.kysely
        .selectFrom('events')
        .select(['transaction_id', 'sheet'])
        .where('transaction_id', 'in', ['cli-3', 'cli-4'])
        .execute();
      expect(stored).toEqual([{ transaction_id: 'cli-3', sheet: 'Backfill' }]);
      // Audited like a web import, by the CLI.
      const entry = await ctx.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'import.run')
        .where('actor', '=', 'cli')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(entry.after ?? '{}')).toMatchObject({
        file: 'mixed.csv',
        source: 'crm',
        sheet: 'Backfill',
        accepted: 1,
        rejected: 1,
      });
    } finally {
      await ctx.close();
    }
  });

  it('a dry run says so and stores nothing', async () => {
    const path = await csv('dry.csv', 'event,brand,transaction_id\nreg,clibrand,cli-dry-1\n');
    const result = await cli('import', path, '--source', 'crm', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Dry run (nothing stored) dry.csv into source "crm"');
    expect(result.out).toContain('  valid:      1');
    const ctx = await createContext(config);
    try {
      const row = await ctx.db.kysely
        .selectFrom('events')
        .select('id')
        .where('transaction_id', '=', 'cli-dry-1')
        .executeTakeFirst();
      expect(row).toBeUndefined();
    } finally {
      await ctx.close();
    }
  });

  it('bad usage and unusable files', async () => {
    const path = await csv('any.csv', 'event,brand\nreg,b\n');
    expect((await cli('import', path)).code).toBe(2);
    const txt = await cli('import', join(dir, 'events.json'), '--source', 'crm');
    expect(txt).toMatchObject({
      code: 2,
      err: 'affpanel: cannot import "events.json": only .csv and .xlsx files are supported',
    });
    const unknown = await cli('import', path, '--source', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /^affpanel: unknown source "nope" \(known sources: crm, partner-net, signed\)$/,
    );
    const missing = await cli('import', join(dir, 'missing.csv'), '--source', 'crm');
    expect(missing).toMatchObject({ code: 1, err: `affpanel: no such file: ${join(dir, 'missing.csv')}` });
    const noBrand = await cli('import', await csv('nobrand.csv', 'event\nreg\n'), '--source', 'crm');
    expect(noBrand.code).toBe(1);
    expect(noBrand.err).toMatch(/^affpanel: no brand column/);
  });
});

describe('user add / list / link', () => {
  it('adds an approved user, lists them, and prints a login link that opens a session once', async () => {
    const added = await cli('user', 'add', '--telegram-id', '4242', '--role', 'admin', '--username', 'boss');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/Telegram ID 4242, admin, approved/);

    const listed = await cli('user', 'list');
    expect(listed.out).toMatch(/4242.*@boss.*admin.*approved/);

    const dup = await cli('user', 'add', '--telegram-id', '4242');
    expect(dup.code).toBe(1);

    const bad = await cli('user', 'add', '--telegram-id', 'abc');
    expect(bad.code).toBe(2);

    const link = await cli('user', 'link', '@boss');
    expect(link.code).toBe(0);
    const token = /\/auth\/link\/(\S+)/.exec(link.out)?.[1];
    expect(token).toBeDefined();
    const ctx = await createContext(getConfig());
    try {
      const { consumeLoginLink } = await import('../../src/access/login-links.js');
      expect(await consumeLoginLink(ctx.db, token ?? '')).toBeGreaterThan(0);
      expect(await consumeLoginLink(ctx.db, token ?? '')).toBeNull();
    } finally {
      await ctx.close();
    }
  });
});
