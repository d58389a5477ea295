/**
 * Derived rollups: the daily/monthly, dimension, broken-tag and orphan-FTD tables the analytics
 * read. The ingest transaction writes only the events and the hourly rollup; this module folds the
 * events stored since the last fold in, in chunks, each chunk one transaction that also records
 * what it folded, so a crash never counts an event twice or loses one. On SQLite the derived
 * tables live in their own file with a watermark (the last event id folded), written by a folder
 * thread beside the postback writer; on PostgreSQL the ingest transaction queues the new ids in
 * `rollup_queue` (see `unfoldedEvents` in dialect.ts). Aggregating thousands of events at a time
 * costs far less per event than doing it per postback batch.
 *
 * Readers call `catchUp()` first, so every answer includes every event stored before the call,
 * unless the fold takes longer than READ_CATCH_UP_MS (a backlog, a heavy load): then the answer
 * comes from what is counted so far and carries `X-Figures-Pending: 1` (see `catchUpWithin`).
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.js';
import {
  foldBound,
  insertRows,
  lockFolder,
  markFolded,
  unfoldedEvents,
  type WriteTarget,
} from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { storeDailyRollups } from './store-daily-rollups.js';
import { storeOrphanFtds } from './store-orphan-ftds.js';

/** What folding reads of an event: not the raw request, which is most of a row's bytes. */
const FOLDED_COLUMNS = [
  'events.id',
  'events.received_at',
  'events.occurred_at',
  'events.type',
  'events.brand_id',
  'events.source_id',
  'events.affiliate_id',
  'events.sub_id',
  'events.external_uid',
  'events.tracking_tag',
  'events.country',
  'events.amount_micros',
  'events.currency',
  'events.is_test',
  'events.sender',
  'events.sheet',
  'events.broken_fields',
  'events.broken_macro',
] as const;

/**
 * Called inside the ingest transaction with the ids of the events it stored. PostgreSQL queues
 * them; SQLite needs nothing (the folder takes every event above its watermark).
 */
export async function enqueueDerivedRollups(
  trx: Kysely<Database>,
  target: WriteTarget,
  eventIds: number[],
): Promise<void> {
  if (target.dialect === 'sqlite') return;
  await insertRows(
    trx,
    target,
    { table: 'rollup_queue', columns: [{ name: 'event_id', kind: 'int' }] },
    eventIds.map((id) => [id]),
  );
}

/** What readers and the demo need of the folder, wherever it runs. */
export interface RollupFolder {
  catchUp(chunk?: number): Promise<number>;
  start(intervalMs: number, onError: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/**
 * Waits for `catchUp` for at most `ms`. True when every event stored before the call is counted;
 * false when the time ran out first. The fold goes on either way; a failure after the time ran
 * out is left to the next run (its events stay queued), one before it is thrown as usual.
 */
export async function catchUpWithin(folder: Pick<RollupFolder, 'catchUp'>, ms: number): Promise<boolean> {
  const done = folder.catchUp();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    const caughtUp = await Promise.race([done.then(() => true as const), timeout]);
    if (!caughtUp) done.catch(() => undefined);
    return caughtUp;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The readers' wait for the fold. A read waits up to `maxWaitMs` (READ_CATCH_UP_MS); once a wait
 * ran out (a load or a backlog the fold does not clear that fast), reads wait only `behindWaitMs`
 * until one of them finds the fold done within it: under load a read then costs its query, not its
 * query plus the whole wait, and it still says that figures are pending.
 */
export class ReadCatchUp {
  private behind = false;

  constructor(
    private readonly folder: () => Pick<RollupFolder, 'catchUp'>,
    private readonly maxWaitMs: number,
    private readonly behindWaitMs = 10,
  ) {}

  /** True when the answer can include every event stored before the call. */
  async wait(): Promise<boolean> {
    const ms = this.behind ? Math.min(this.behindWaitMs, this.maxWaitMs) : this.maxWaitMs;
    const caughtUp = await catchUpWithin(this.folder(), ms);
    this.behind = !caughtUp;
    return caughtUp;
  }
}

export class DerivedRollups implements RollupFolder {
  private running: Promise<number> | null = null;
  private started = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    /**
     * Events per transaction. The fold runs beside the postbacks (on SQLite it writes its own
     * file), and larger chunks write far fewer rows per event: with 500 it fell behind a 3-4k/s
     * load and readers, who wait for the fold, waited seconds. On SQLite 2,000: its fold thread
     * shares the server's memory (5,000 took the server past 300 MB RSS in some bench:ingest runs),
     * and folds about as cheaply per event (`bench/writer.mjs`: 31.5 µs at 2,000, 31.3 at 6,000).
     */
    private readonly chunk = db.dialect === 'sqlite' ? 2000 : 5000,
  ) {}

  /** Fold runs started so far (each folds everything queued when it starts), for tests and diagnostics. */
  get runsStarted(): number {
    return this.started;
  }

  /**
   * Folds every event queued before this call into the derived rollups. Concurrent callers share
   * runs: a caller that arrives while a run is in progress waits for it and for the next one
   * (the run in progress may have read its bound before the caller's events were queued), and
   * callers waiting together share that next run. Resolves with the number of events folded in
   * by the last run it waited for.
   */
  catchUp(chunk = this.chunk): Promise<number> {
    if (!this.running) return this.startRun(chunk);
    const inProgress = this.started;
    return this.running.then(() => {
      // A run that started after this call covers every event queued before it.
      if (this.started > inProgress) return this.running ?? 0;
      return this.catchUp(chunk);
    });
  }

  private startRun(chunk: number): Promise<number> {
    this.started++;
    const running = this.run(chunk).finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  private async run(chunk: number): Promise<number> {
    const maxId = await foldBound(this.db.kysely, this.db.dialect);
    if (maxId === null) return 0;
    let total = 0;
    for (;;) {
      const folded = await this.foldChunk(maxId, chunk);
      total += folded;
      if (folded === 0) return total;
      // Let postbacks waiting for the writer go first between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async foldChunk(maxId: number, chunk: number): Promise<number> {
    return this.db.kysely.transaction().execute(async (trx) => {
      // One folder at a time across instances: two could otherwise fold the same events.
      await lockFolder(trx, this.db.dialect);
      const events = await unfoldedEvents(trx, this.db.dialect, maxId, chunk)
        .select(FOLDED_COLUMNS)
        .execute();
      if (events.length === 0) return 0;
      await storeDailyRollups(trx, this.db, events);
      await storeOrphanFtds(trx, this.db, events);
      await markFolded(
        trx,
        this.db.dialect,
        events.map((e) => Number(e.id)),
      );
      return events.length;
    });
  }

  /** Folds in the background every `intervalMs`, so readers rarely find much to do. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.catchUp().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
