/**
 * The two storage backends under test: each prepares a fresh, empty database, can read the
 * cellxpert key from it, counts what was stored, and cleans up after itself.
 *
 *  - sqlite: a new file in the run's temp dir (`DATABASE_URL=sqlite:<dir>/bench.db`).
 *  - postgres: a DURABLE throwaway cluster (fsync, synchronous_commit and full_page_writes on)
 *    from scripts/lib/pg-cluster.mjs, with a fresh database `affpanel_bench` in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPgCluster } from '../../scripts/lib/pg-cluster.mjs';
import { processAndChildren } from './proc-stats.mjs';
import { log } from './util.mjs';

const KEY_SQL = "select secret_key from sources where slug = 'cellxpert'";

function countSqlite(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const events = db.prepare('select count(*) as n from events').get().n;
    const rejections = db.prepare('select count(*) as n from rejections').get().n;
    const brands = db.prepare('select count(*) as n from brands').get().n;
    return { events, rejections, brands };
  } finally {
    db.close();
  }
}

export async function prepareSqlite(dir) {
  const path = join(dir, 'bench.db');
  return {
    name: 'sqlite',
    databaseUrl: `sqlite:${path}`,
    description: `file ${path} (journal_mode=WAL, synchronous=FULL as set by the server)`,
    async readKey() {
      try {
        const db = new Database(path, { readonly: true, fileMustExist: true });
        try {
          return db.prepare(KEY_SQL).get()?.secret_key ?? null;
        } finally {
          db.close();
        }
      } catch {
        return null;
      }
    },
    async count() {
      return countSqlite(path);
    },
    async storedIds() {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return new Set(db.prepare('select id from events').pluck().all());
      } finally {
        db.close();
      }
    },
    async cleanup() {},
  };
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function preparePostgres() {
  const cluster = await startPgCluster({ durable: true });
  try {
    await withClient(cluster.url, (c) => c.query('create database affpanel_bench'));
    const url = cluster.url.replace(/\/postgres$/, '/affpanel_bench');
    const settings = await withClient(url, async (c) => {
      const r = await c.query(
        "select name, setting from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','server_version','shared_buffers','wal_level')",
      );
      return Object.fromEntries(r.rows.map((row) => [row.name, row.setting]));
    });
    log(`postgres settings: ${JSON.stringify(settings)}`);
    return {
      name: 'postgres',
      databaseUrl: url,
      description: `throwaway durable cluster ${cluster.url.replace(/\/postgres$/, '')}, ${Object.entries(
        settings,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      settings,
      /** The postmaster and its backends, for CPU accounting. */
      dbPids() {
        try {
          const pid = Number(
            readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
          );
          return pid > 0 ? processAndChildren(pid) : [];
        } catch {
          return [];
        }
      },
      async readKey() {
        try {
          return await withClient(url, async (c) => (await c.query(KEY_SQL)).rows[0]?.secret_key ?? null);
        } catch {
          return null;
        }
      },
      async count() {
        return withClient(url, async (c) => {
          const n = async (table) => Number((await c.query(`select count(*) as n from ${table}`)).rows[0].n);
          return { events: await n('events'), rejections: await n('rejections'), brands: await n('brands') };
        });
      },
      async storedIds() {
        return withClient(url, async (c) => {
          const r = await c.query({ text: 'select id::text as id from events', rowMode: 'array' });
          return new Set(r.rows.map((row) => Number(row[0])));
        });
      },
      cleanup: () => cluster.stop(),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
