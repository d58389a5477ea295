/**
 * Opens the one Kysely instance over SQLite (better-sqlite3) or PostgreSQL (pg), chosen by the
 * URL. Every dialect-specific setting lives here or in `dialect.ts`, nowhere else.
 */
import { mkdirSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /** For SQLite, the database file path (the write worker opens its own connection to it). */
  sqlitePath: string | null;
  url: string;
  /**
   * SQLite only (null on PostgreSQL): the connection's own better-sqlite3 handle, statements cached,
   * for the bulk writes of dialect.ts. Inside a Kysely transaction on this Db it runs on the same
   * connection, in that transaction.
   */
  sqlite: SqliteDatabase.Database | null;
  /**
   * Runs a compiled select and returns each row as an array of its values in select order, without
   * building an object per row (better-sqlite3 `raw` mode, pg `rowMode: 'array'`): for reads of
   * many rows, such as exports. The caller types the tuple; values arrive as Kysely's would.
   */
  selectArrays<R extends unknown[] = unknown[]>(query: CompiledQuery): Promise<R[]>;
  close(): Promise<void>;
}

let int8ParserInstalled = false;

/** pg returns BIGINT as text; ours are epoch millis, counts and micro-amounts, all well within 2^53. */
function installInt8Parser(): void {
  if (int8ParserInstalled) return;
  int8ParserInstalled = true;
  pg.types.setTypeParser(20, (text: string) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} exceeds the safe integer range`);
    return n;
  });
}

export function sqlitePathFromUrl(url: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path === '') throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/affpanel.db');
  return path === ':memory:' ? path : resolve(path);
}

/**
 * The schema name the derived rollups live under on SQLite: a second database file beside the main
 * one, attached to every connection. SQLite allows one writer per file; with the derived rollups in
 * their own file, the folder (its own thread) writes them while the postback writer commits events
 * into the main file, instead of the two taking turns. Unqualified table names resolve across
 * attached files, so queries name these tables as any other; migrations that create or change them
 * name the schema (see 0009_rollups_file).
 */
export const ROLLUPS_SCHEMA = 'rollups';

/** `data/affpanel.db` -> `data/affpanel.rollups.db`; `:memory:` stays in memory. */
export function rollupsPathFor(path: string): string {
  if (path === ':memory:') return path;
  const ext = extname(path);
  return ext === '' ? `${path}.rollups` : `${path.slice(0, -ext.length)}.rollups${ext}`;
}

export function openSqlite(
  path: string,
  options: { readonly?: boolean; busyTimeoutMs?: number; cacheMb?: number; rollupsCacheMb?: number } = {},
): SqliteDatabase.Database {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path, { readonly: options.readonly ?? false });
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we answer 200. Group commit keeps this affordable.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  // Page cache per connection, in KiB (negative). Reads over millions of events use the default 64 MB.
  sqlite.pragma(`cache_size = -${Math.trunc((options.cacheMb ?? 64) * 1024)}`);
  sqlite.pragma('temp_store = MEMORY');
  sqlite.prepare(`attach database ? as ${ROLLUPS_SCHEMA}`).run(rollupsPathFor(path));
  sqlite.pragma(`${ROLLUPS_SCHEMA}.journal_mode = WAL`);
  // NORMAL is enough here: the rollups and the fold's watermark commit together in this file, so a
  // commit lost to a power cut is lost whole and its events are folded again from the main file.
  sqlite.pragma(`${ROLLUPS_SCHEMA}.synchronous = NORMAL`);
  sqlite.pragma(
    `${ROLLUPS_SCHEMA}.cache_size = -${Math.trunc((options.rollupsCacheMb ?? options.cacheMb ?? 64) * 1024)}`,
  );
  // Checkpoint less often: hot pages (rollups, index tails) are copied to the database once per
  // checkpoint however often they changed, so larger checkpoints do far less work per commit.
  sqlite.pragma('wal_autocheckpoint = 16384');
  sqlite.pragma('foreign_keys = OFF');
  return sqlite;
}

/**
 * better-sqlite3 compiles a statement on every prepare; Kysely prepares each query it runs. Batched
 * inserts repeat the same few statement texts, so caching them removes a large share of write cost.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database, max = 256): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (source: string) => {
        let statement = cache.get(source);
        if (statement && !statement.busy) return statement;
        statement = prepare(source);
        if (cache.size >= max) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(source, statement);
        return statement;
      };
    },
  });
}

export function connect(
  url: string,
  options: { poolSize?: number; busyTimeoutMs?: number; cacheMb?: number; rollupsCacheMb?: number } = {},
): Db {
  if (url.startsWith('sqlite:')) {
    const path = sqlitePathFromUrl(url);
    const handle = openSqlite(path, {
      busyTimeoutMs: options.busyTimeoutMs,
      cacheMb: options.cacheMb,
      rollupsCacheMb: options.rollupsCacheMb,
    });
    const sqlite = withStatementCache(handle);
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      kysely,
      dialect: 'sqlite',
      sqlitePath: path,
      url,
      sqlite,
      // Holding Kysely's connection keeps its mutex: the read never lands inside another caller's
      // open transaction on this handle.
      selectArrays: <R extends unknown[]>(query: CompiledQuery) =>
        kysely.connection().execute(async () =>
          handle
            .prepare<unknown[], R>(query.sql)
            .raw(true)
            .all(...query.parameters),
        ),
      close: () => kysely.destroy(),
    };
  }
  installInt8Parser();
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // No JIT. Our reads are built to run in tens of milliseconds, but a plan whose estimate crosses
    // PostgreSQL's JIT thresholds was compiled first: 424 ms of JIT (inlining, optimisation) for a
    // 20 ms tag-filtered events page at 10M events. JIT pays off for queries of seconds only.
    options: '-c jit=off',
  });
  // A dropped idle connection must not crash the process; the next query reports the failure.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    sqlitePath: null,
    url,
    sqlite: null,
    selectArrays: async <R extends unknown[]>(query: CompiledQuery) =>
      (await pool.query<R>({ text: query.sql, values: [...query.parameters], rowMode: 'array' })).rows,
    close: () => kysely.destroy(),
  };
}
