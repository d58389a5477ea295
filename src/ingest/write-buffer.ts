/**
 * Group commit. Callers submit items and wait; items are flushed together, as one transaction,
 * when the batch is full or a few milliseconds have passed. While a flush is in flight new items
 * gather for the next one, so one fsync serves many requests. Each caller's promise settles only
 * after its own batch committed (or failed: then every caller in it gets the error).
 */
import { StorageUnavailableError } from '../errors.js';

export interface WriteBufferOptions {
  flushMs: number;
  batchMax: number;
  queueMax: number;
  /**
   * Batches handed to storage before the first is answered (default 1). A writer that runs
   * batches one after another (the SQLite writer thread) stays busy with 2: the next batch is
   * already waiting when one commits.
   */
  maxInFlight?: number;
}

interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class WriteBuffer<I, R> {
  private pending: Array<Pending<I, R>> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<R[]>,
    private readonly options: WriteBufferOptions,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  submit(item: I): Promise<R> {
    if (this.closed) return Promise.reject(new StorageUnavailableError('shutting down, retry later', 1));
    if (this.pending.length >= this.options.queueMax) {
      return Promise.reject(new StorageUnavailableError('ingest queue full, retry later', 1));
    }
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Flushes everything pending and waits for it; later submits are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  /** Waits until nothing is pending or in flight. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight.size > 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (this.hasRoom()) this.startFlush();
      await Promise.race(this.inFlight);
    }
  }

  private hasRoom(): boolean {
    return this.inFlight.size < (this.options.maxInFlight ?? 1);
  }

  private schedule(): void {
    if (!this.hasRoom()) return; // a flush in flight picks these up when it ends
    if (this.pending.length >= this.options.batchMax) {
      this.startFlush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.hasRoom()) this.startFlush();
      }, this.options.flushMs);
    }
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending.splice(0, this.options.batchMax);
    if (batch.length === 0) return;
    const flight: Promise<void> = this.runFlush(batch).finally(() => {
      this.inFlight.delete(flight);
      // Whatever arrived during the flush has already waited: send it now, as the next batch.
      if (this.pending.length > 0 && this.hasRoom()) this.startFlush();
    });
    this.inFlight.add(flight);
  }

  private async runFlush(batch: Array<Pending<I, R>>): Promise<void> {
    let results: R[];
    try {
      results = await this.flush(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error('flush returned the wrong number of results');
    } catch (error) {
      const failure =
        error instanceof StorageUnavailableError
          ? error
          : new StorageUnavailableError('storage unavailable, retry later');
      failure.cause = error;
      for (const p of batch) p.reject(failure);
      return;
    }
    batch.forEach((p, i) => {
      p.resolve(results[i] as R);
    });
  }
}
