/**
 * Everything a running AFFPanel holds: configuration, the database, the caches in front of it and
 * the ingest writer. Created once by `main.ts` (or a test), handed to the server; closed in order.
 */
import { BrandDirectory } from './brands/brand-directory.js';
import type { Config } from './config.js';
import { connect, type Db } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { DerivedRollups } from './ingest/derived-rollups.js';
import { Ingestor } from './ingest/ingestor.js';
import { SourceDirectory } from './sources/source-directory.js';

export interface AppContext {
  config: Config;
  db: Db;
  sources: SourceDirectory;
  brands: BrandDirectory;
  ingestor: Ingestor;
  /** The daily/dimension/orphan rollups, folded in behind the ingest path; readers catch up first. */
  derived: DerivedRollups;
  startedAt: Date;
  close(): Promise<void>;
}

export async function createContext(config: Config): Promise<AppContext> {
  const db = connect(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const sources = new SourceDirectory(db);
  const brands = new BrandDirectory(db);
  await Promise.all([sources.refresh(), brands.refresh()]);
  const ingestor = new Ingestor(db, sources, brands, config.ingest);
  const derived = new DerivedRollups(db);
  derived.start(1000, () => {
    // A failed fold leaves its events queued; the next run (or a reader) retries them.
  });
  let closed = false;
  return {
    config,
    db,
    sources,
    brands,
    ingestor,
    derived,
    startedAt: new Date(),
    async close() {
      if (closed) return;
      closed = true;
      // Every accepted postback is flushed before the connection goes away.
      await ingestor.close();
      await derived.stop();
      await derived.catchUp().catch(() => undefined);
      await db.close();
    },
  };
}
