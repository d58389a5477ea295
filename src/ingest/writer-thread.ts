/**
 * The main thread's side of a writer thread: on SQLite one stores postback batches and another
 * folds the derived rollups; on PostgreSQL one folds (the postbacks' writes are async there, but
 * a fold's aggregation of thousands of events would hold the HTTP thread for tens of ms). Sends
 * requests, resolves each with the thread's answer. If the thread dies, everything in flight fails as
 * "storage unavailable" (503 to the networks, which retry) and the next call starts a new thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StorageUnavailableError } from '../errors.js';
import type { WriteItem, WriteResult } from './store-batch.js';
import { decodeWriteResults, encodeWriteItems, type WireResults } from './writer-message.js';
import type { WriterReply, WriterRequest, WriterRole } from './writer-thread-worker.js';

const WORKER_URL = new URL('./writer-thread-worker.js', import.meta.url);

type Pending = { resolve(value: unknown): void; reject(error: unknown): void };
type RequestBody = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WriterThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** The thread runs compiled code; from TypeScript sources (tests) the in-process writer is used. */
  static available(): boolean {
    return existsSync(fileURLToPath(WORKER_URL));
  }

  constructor(
    /** The DATABASE_URL the thread connects to (its own connection). */
    private readonly url: string,
    private readonly busyTimeoutMs: number,
    private readonly role: WriterRole,
    /** Whether a fold thread folds the derived rollups on its own timer. */
    private readonly foldInBackground = true,
  ) {}

  /**
   * Starts the thread now rather than on the first request: opening it takes a few hundred
   * milliseconds (loading the code, opening the database), which the first postbacks would wait.
   */
  start(): void {
    this.worker ??= this.spawn();
  }

  /** The batch crosses as flat arrays (writer-message.ts): postMessage copies objects slowly. */
  async storeBatch(items: WriteItem[]): Promise<WriteResult[]> {
    const results = (await this.call({ type: 'store', batch: encodeWriteItems(items) })) as WireResults;
    return decodeWriteResults(results);
  }

  fold(chunk?: number): Promise<number> {
    return this.call(chunk === undefined ? { type: 'fold' } : { type: 'fold', chunk }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    await this.call({ type: 'close' }).catch(() => undefined);
    await this.worker?.terminate();
    this.worker = null;
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, {
      // Small heaps. V8 sizes them for the machine's memory, and three threads' worth put the
      // server over 300 MB RSS under a postback load (bench:ingest, 20 s: 280-350 MB; with these
      // limits 242 MB, flat). These threads keep little alive between requests: a fold of 50,000
      // events (the demo's) and the store of its batches ran within 96 MB of old generation.
      // Should a thread run out anyway, it stops, its requests fail as "storage unavailable"
      // (503 to the networks, which retry) and the next request starts a new one.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
      workerData: {
        url: this.url,
        busyTimeoutMs: this.busyTimeoutMs,
        foldInBackground: this.foldInBackground,
        role: this.role,
      },
    });
    worker.on('message', (reply: WriterReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new StorageUnavailableError(`storage unavailable: ${reply.message}`));
    });
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(new StorageUnavailableError(`storage writer stopped: ${reason}`));
      }
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`exit ${code}`));
    return worker;
  }

  private call(body: RequestBody): Promise<unknown> {
    this.worker ??= this.spawn();
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...body, id });
    });
  }
}
