/**
 * Per-test databases for integration tests.
 *
 * AFFPANEL_TEST_DB picks the backend: unset, empty or `sqlite` gives a fresh SQLite
 * file in its own temp dir; a postgres:// URL (an admin connection, e.g. the
 * cluster started by scripts/test.mjs) gives a freshly created database on that
 * server. Either way `drop()` removes it again; call it in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDatabaseKind = 'sqlite' | 'postgres';

export type TestDatabase = {
  /** DATABASE_URL for the app: `sqlite:/tmp/…/test.db` or `postgres://…/<db>`. */
  url: string;
  /** Remove the database; safe to call twice. */
  drop(): Promise<void>;
};

const POSTGRES_URL = /^postgres(ql)?:\/\//;

function adminUrl(): string {
  return process.env.AFFPANEL_TEST_DB ?? '';
}

export function testDatabaseKind(): TestDatabaseKind {
  const value = adminUrl();
  if (value === '' || value === 'sqlite') return 'sqlite';
  if (POSTGRES_URL.test(value)) return 'postgres';
  throw new Error(`AFFPANEL_TEST_DB must be unset, 'sqlite' or a postgres:// URL, got '${value}'`);
}

/** Lower-case letters, digits and underscores only, so the result is a safe identifier. */
function slug(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return cleaned === '' ? 'db' : cleaned;
}

async function withAdminClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function createSqlite(name: string): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), `affpanel-${slug(name)}-`));
  return {
    url: `sqlite:${join(dir, 'test.db')}`,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function createPostgres(name: string): Promise<TestDatabase> {
  const database = `affp_${slug(name)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${database}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminClient(async (client) => {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
        await client.query(`DROP DATABASE IF EXISTS "${database}"`);
      });
    },
  };
}

/** A fresh, empty database named after `name` (sanitized, with a random suffix). */
export async function createTestDatabaseUrl(name: string): Promise<TestDatabase> {
  return testDatabaseKind() === 'postgres' ? createPostgres(name) : createSqlite(name);
}
