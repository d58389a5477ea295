/**
 * Everything a running AFFPanel holds: configuration, the database, the caches in front of it and
 * the ingest writer. Created once by `main.ts` (or a test), handed to the server; closed in order.
 */
import { pino } from 'pino';
import { BrandDirectory } from './brands/brand-directory.js';
import type { Config } from './config.js';
import { connect, type Db } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { checkRollupsFile } from './db/rollups-file.js';
import { DEFAULT_RETENTION, pruneExpired } from './housekeeping/prune-expired.js';
import { DerivedRollups, type RollupFolder } from './ingest/derived-rollups.js';
import { Ingestor } from './ingest/ingestor.js';
import { storeBatch, type WriteItem, type WriteResult } from './ingest/store-batch.js';
import { WriterThread } from './ingest/writer-thread.js';
import { Notifier } from './notify/notifier.js';
import { SourceDirectory } from './sources/source-directory.js';

export interface AppContext {
  config: Config;
  db: Db;
  sources: SourceDirectory;
  brands: BrandDirectory;
  ingestor: Ingestor;
  /**
   * Stores already-checked items (the demo generator): through the writer thread when there is
   * one, so every write to a SQLite file goes through one connection and never waits for a lock.
   */
  store(items: WriteItem[]): Promise<WriteResult[]>;
  /** The daily/dimension/orphan rollups, folded in behind the ingest path; readers catch up first. */
  derived: RollupFolder;
  /** Telegram bots: the outbox is written by ingest always; sending runs only when started. */
  notifier: Notifier;
  startedAt: Date;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Send Telegram notifications and alerts from this process (the server; never the CLI). */
  runNotifier?: boolean;
  /** Prune expired sessions, counters and old deliveries every `HOUSEKEEPING_INTERVAL_MS`. */
  runHousekeeping?: boolean;
  /**
   * Fold the derived rollups every second in small chunks (default true). Off for a bulk writer
   * (the demo generator) that folds large chunks itself, at far less cost per event.
   */
  foldInBackground?: boolean;
}

const HOUSEKEEPING_INTERVAL_MS = 15 * 60_000;

/** Runs the housekeeping sweep now and then every interval; failures wait for the next run. */
function startHousekeeping(db: Db, config: Config): () => Promise<void> {
  const log = pino({ name: 'housekeeping', level: config.logLevel });
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = pruneExpired(db.kysely, Date.now(), {
      ...DEFAULT_RETENTION,
      telegramLoginMaxAgeMs: config.access.telegramMaxAgeSeconds * 1000,
    }).then(
      (counts) => log.debug({ deleted: counts }, 'housekeeping done'),
      (error: unknown) => log.warn({ err: error }, 'housekeeping failed; retrying at the next interval'),
    );
  };
  const first = setTimeout(run, 30_000);
  const timer = setInterval(run, HOUSEKEEPING_INTERVAL_MS);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

/** Folding done by the fold thread, which also folds on its own timer. */
function threadFolder(writer: WriterThread): RollupFolder {
  return {
    catchUp: (chunk?: number) => writer.fold(chunk),
    // Starts the thread now (it folds on its own timer from then on), so a backlog left by a
    // crash is folded even before the first postback or reader arrives.
    start: (_intervalMs, onError) => {
      writer.fold().catch(onError);
    },
    stop: async () => {},
  };
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const db = connect(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs });
  try {
    await migrateToLatest(db);
    await checkRollupsFile(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const sources = new SourceDirectory(db);
  const brands = new BrandDirectory(db);
  await Promise.all([sources.refresh(), brands.refresh()]);
  // Writes run on writer threads when the built code is running (WriterThread.available()). On
  // SQLite two, so a commit's fsync never stops this thread from reading requests: postback
  // batches on one, the fold of the derived rollups (their own file) on the other, so the two
  // never wait for each other. On PostgreSQL the fold, whose aggregation held this thread for tens
  // of milliseconds (bench:ingest p99 74-76 ms with it here, 44-50 ms on a thread).
  const threads =
    config.ingest.writer === 'thread' || (config.ingest.writer === 'auto' && WriterThread.available());
  const sqliteFile =
    db.dialect === 'sqlite' && db.sqlitePath !== null && db.sqlitePath !== ':memory:' ? db.sqlitePath : null;
  const threadUrl = !threads
    ? null
    : sqliteFile
      ? `sqlite:${sqliteFile}`
      : db.dialect === 'postgres'
        ? db.url
        : null;
  const writer =
    threadUrl !== null && sqliteFile !== null
      ? new WriterThread(threadUrl, config.sqliteBusyTimeoutMs, 'store')
      : null;
  const folder =
    threadUrl !== null
      ? new WriterThread(threadUrl, config.sqliteBusyTimeoutMs, 'fold', options.foldInBackground !== false)
      : null;
  writer?.start();
  const store = writer
    ? (items: WriteItem[]) => writer.storeBatch(items)
    : (items: WriteItem[]) => storeBatch(db, brands, items);
  const ingestor = writer
    ? new Ingestor(db, sources, brands, { ...config.ingest, maxInFlight: 2 }, store)
    : new Ingestor(db, sources, brands, config.ingest, store);
  const derived: RollupFolder = folder ? threadFolder(folder) : new DerivedRollups(db);
  if (options.foldInBackground !== false)
    derived.start(1000, () => {
      // A failed fold leaves its events queued; the next run (or a reader) retries them.
    });
  const notifier = new Notifier(db, config.notify, pino({ name: 'notify', level: config.logLevel }), {
    catchUp: () => derived.catchUp(),
  });
  await notifier.init();
  if (options.runNotifier) notifier.start();
  const stopHousekeeping = options.runHousekeeping ? startHousekeeping(db, config) : async () => {};
  let closed = false;
  return {
    config,
    db,
    sources,
    brands,
    ingestor,
    store,
    derived,
    notifier,
    startedAt: new Date(),
    async close() {
      if (closed) return;
      closed = true;
      await stopHousekeeping();
      // Every accepted postback is flushed before the connection goes away.
      await ingestor.close();
      // After the last flush (its deliveries are in the outbox) and before storage goes away.
      await notifier.stop();
      await notifier.close();
      await derived.stop();
      await derived.catchUp().catch(() => undefined);
      await writer?.close();
      await folder?.close();
      await db.close();
    },
  };
}
