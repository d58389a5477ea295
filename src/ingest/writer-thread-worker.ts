/**
 * A writer thread, with its own connection. On SQLite better-sqlite3 is synchronous: a commit's
 * fsync would stop the HTTP thread for milliseconds at a time, so the server runs two of these,
 * one storing postback batches (the main file), the other folding the derived rollups (the
 * rollups file, see ROLLUPS_SCHEMA), and neither waits for the other's commits. On PostgreSQL one
 * folds: the aggregation of a fold's thousands of events is CPU work that held the HTTP thread.
 * They only ever run storeBatch and DerivedRollups, the same code the in-process writer runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BrandDirectory } from '../brands/brand-directory.js';
import { connect } from '../db/connect.js';
import { DerivedRollups } from './derived-rollups.js';
import { storeBatch } from './store-batch.js';
import { decodeWriteItems, encodeWriteResults, type WireBatch } from './writer-message.js';

export type WriterRequest =
  | { id: number; type: 'store'; batch: WireBatch }
  | { id: number; type: 'fold'; chunk?: number }
  | { id: number; type: 'close' };

export type WriterReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string };

/** What a thread is for: storing postback batches, or folding the derived rollups. */
export type WriterRole = 'store' | 'fold';

const { url, busyTimeoutMs, foldInBackground, role } = workerData as {
  url: string;
  busyTimeoutMs: number;
  foldInBackground: boolean;
  role: WriterRole;
};
const port = parentPort;
if (!port) throw new Error('writer-thread-worker must run as a worker thread');

// Smaller page caches than the readers': the store thread's pages are the tails of the indexes and
// the hourly rollup rows of recent hours. 64 MB here put the server over 300 MB RSS under a 6k/s
// load, without making it faster (bench:ingest, 20 s runs: 215-217 MB with 16 MB, 263-348 MB with
// 64). The fold thread reads recent events and writes the rollups of recent buckets.
const db = connect(url, {
  busyTimeoutMs,
  poolSize: 2,
  cacheMb: 16,
  rollupsCacheMb: role === 'fold' ? 16 : 2,
});
const brands = new BrandDirectory(db);
const derived = new DerivedRollups(db);
const ready = role === 'store' ? brands.refresh() : Promise.resolve();
if (role === 'fold' && foldInBackground)
  derived.start(1000, () => {
    // A failed fold leaves its events queued; the next run retries them.
  });
// No timer for the brand cache: each batch checks the brands version inside its transaction and
// reloads when an admin changed a brand (see brand-directory.ts), so a merge applies at once.

async function handle(request: WriterRequest): Promise<unknown> {
  await ready;
  switch (request.type) {
    case 'store':
      return encodeWriteResults(await storeBatch(db, brands, decodeWriteItems(request.batch)));
    case 'fold':
      return derived.catchUp(request.chunk);
    case 'close':
      await derived.stop();
      if (role === 'fold') await derived.catchUp().catch(() => undefined);
      await db.close();
      return null;
  }
}

port.on('message', (request: WriterRequest) => {
  handle(request).then(
    (result) => port.postMessage({ id: request.id, ok: true, result } satisfies WriterReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WriterReply),
  );
});
