/**
 * One hub per server process fans new events out to every connected live-stream client. While at
 * least one client is connected it reads the events stored since its last read (EventTail, by id,
 * about once a second) and sends each client the rows its filter matches; with no client it reads
 * nothing. Clients get a heartbeat comment every ~15 s, are re-authenticated every minute (a
 * logged-out session or a revoked token ends the stream), and are dropped when they stop reading.
 * A reconnecting client names the last id it saw and is sent what it missed, bounded.
 *
 * Never holds events: a client that is away gets a replay from the database, or a `resync` when
 * more was missed than is worth replaying. Never writes to the database.
 */
import type { EventListItem } from '../analytics/event-rows.js';
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { EventTail, readEventsAfter, type TailBatch } from './event-tail.js';
import { type LiveFilter, matchesLiveFilter } from './live-filter.js';
import { sseComment, sseMessage } from './sse.js';

export interface LiveHubOptions {
  pollMs: number;
  heartbeatMs: number;
  revalidateMs: number;
  /** Streams this process holds at once. */
  maxClients: number;
  /** Streams one person or API client holds at once (tabs, scripts). */
  maxPerCaller: number;
  /** New rows per poll beyond which clients are told to resync instead. */
  batchLimit: number;
  /** Missed rows a reconnecting client is sent at most. */
  replayLimit: number;
  /** Bytes queued for a client that does not read before it is dropped. */
  maxBufferedBytes: number;
}

export const LIVE_DEFAULTS: LiveHubOptions = {
  pollMs: 1_000,
  heartbeatMs: 15_000,
  revalidateMs: 60_000,
  maxClients: 500,
  maxPerCaller: 8,
  batchLimit: 500,
  replayLimit: 500,
  maxBufferedBytes: 1 << 20,
};

/** Where a client's frames go: the HTTP response, in production. */
export interface LiveSink {
  write(frame: string): void;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  end(): void;
}

export interface LiveClientSpec {
  /** Who holds the stream (a user or an API client), for the per-caller limit. */
  caller: string;
  filter: LiveFilter;
  sink: LiveSink;
  /** Whether the credential the stream was opened with is still good. */
  stillAllowed(): Promise<boolean>;
}

export interface LiveSubscriber extends LiveClientSpec {
  /** Broadcasts held back until the client's replay has been sent. */
  queue: TailBatch[] | null;
  checkedAt: number;
  checking: boolean;
  ended: boolean;
}

export interface LiveLogger {
  warn(obj: object, msg: string): void;
}

export class LiveHub {
  private readonly clients = new Set<LiveSubscriber>();
  private readonly tail: EventTail;
  private starting: Promise<number> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly log: LiveLogger,
    private readonly options: LiveHubOptions = LIVE_DEFAULTS,
  ) {
    this.tail = new EventTail(db, options.batchLimit);
  }

  get size(): number {
    return this.clients.size;
  }

  /** Takes a place for a new stream, or refuses with 503 when this process or the caller is full. */
  admit(spec: LiveClientSpec): LiveSubscriber {
    if (this.closed) throw unavailable('the server is shutting down', 5);
    if (this.clients.size >= this.options.maxClients)
      throw unavailable('too many live streams on this server, retry later', 30);
    let mine = 0;
    for (const c of this.clients) if (c.caller === spec.caller) mine++;
    if (mine >= this.options.maxPerCaller)
      throw unavailable(
        `at most ${this.options.maxPerCaller} live streams per user or API client: close another tab or stream`,
        30,
      );
    const sub: LiveSubscriber = { ...spec, queue: [], checkedAt: Date.now(), checking: false, ended: false };
    this.clients.add(sub);
    return sub;
  }

  /**
   * Starts sending to an admitted client: what it missed since `lastEventId` (bounded), then
   * `ready` with the current position, then every new matching event.
   */
  async start(sub: LiveSubscriber, lastEventId: number | null): Promise<void> {
    const cursor = await this.joinPosition();
    if (sub.ended) return;
    const replayed = new Set<number>();
    if (lastEventId !== null && lastEventId < cursor) {
      const missed = await readEventsAfter(this.db, lastEventId, this.options.replayLimit);
      if (sub.ended) return;
      const rows = missed.rows.filter((r) => r.id <= cursor);
      if (missed.more && missed.lastId < cursor) {
        this.send(sub, sseMessage({ event: 'resync', id: cursor, data: { cursor } }));
      } else {
        const matching = rows.filter((r) => matchesLiveFilter(sub.filter, r));
        for (const r of matching) replayed.add(r.id);
        if (matching.length > 0)
          this.send(sub, sseMessage({ event: 'events', id: cursor, data: { rows: matching } }));
      }
    }
    this.send(sub, sseMessage({ event: 'ready', id: cursor, data: { cursor } }));
    const queued = sub.queue ?? [];
    sub.queue = null;
    for (const batch of queued) {
      // Read up to the position the client joined at: not news to it.
      if (batch.cursor <= cursor) continue;
      this.deliver(sub, { ...batch, rows: batch.rows.filter((r) => !replayed.has(r.id)) });
    }
  }

  /**
   * Where a new client joins: the newest stored event. The tail is read once more first (the
   * other clients get what it finds, as at any poll), because its last poll can be up to `pollMs`
   * old: a page loaded just after a burst was otherwise told about events it already counted
   * ("22 new events since this page was loaded" on a page loaded after them).
   */
  private async joinPosition(): Promise<number> {
    await this.ensurePolling();
    while (this.inflight !== null) await this.inflight;
    if (this.closed || this.clients.size === 0) return this.tail.position;
    if (this.pollTimer !== null) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    const run: Promise<void> = this.tick().finally(() => {
      if (this.inflight === run) this.inflight = null;
      this.scheduleTick();
    });
    this.inflight = run;
    await run;
    return this.tail.position;
  }

  /** Forgets a client (it went away, or its stream is ending). */
  remove(sub: LiveSubscriber): void {
    sub.ended = true;
    this.clients.delete(sub);
    if (this.clients.size === 0) this.stopTimers();
  }

  /** Ends every stream and stops reading: the server is closing. */
  close(): void {
    this.closed = true;
    for (const sub of [...this.clients]) this.end(sub);
    this.stopTimers();
  }

  private ensurePolling(): Promise<number> {
    if (this.starting === null) {
      // A poll still running from before the last client left finishes first: one reader at a time.
      this.starting = (this.inflight ?? Promise.resolve()).then(() => this.tail.start());
      this.starting.then(
        () => this.scheduleTick(),
        () => {
          this.starting = null;
        },
      );
      this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
      this.heartbeat.unref();
    }
    // Once started, new clients join at the tail's current position.
    return this.starting.then(() => this.tail.position);
  }

  private scheduleTick(): void {
    if (this.closed || this.clients.size === 0 || this.pollTimer !== null || this.inflight !== null) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.inflight = this.tick().finally(() => {
        this.inflight = null;
        this.scheduleTick();
      });
    }, this.options.pollMs);
    this.pollTimer.unref();
  }

  private async tick(): Promise<void> {
    let batch: TailBatch;
    try {
      batch = await this.tail.next();
    } catch (error) {
      if (!this.closed) this.log.warn({ err: error }, 'live: reading new events failed; retrying');
      return;
    }
    if (batch.rows.length === 0 && !batch.overflow) return;
    for (const sub of this.clients) {
      if (sub.queue !== null) sub.queue.push(batch);
      else this.deliver(sub, batch);
    }
  }

  private deliver(sub: LiveSubscriber, batch: TailBatch): void {
    if (batch.overflow) {
      this.send(sub, sseMessage({ event: 'resync', id: batch.cursor, data: { cursor: batch.cursor } }));
      return;
    }
    const rows: EventListItem[] = batch.rows.filter((r) => matchesLiveFilter(sub.filter, r));
    if (rows.length > 0) this.send(sub, sseMessage({ event: 'events', id: batch.cursor, data: { rows } }));
  }

  private beat(): void {
    const now = Date.now();
    for (const sub of this.clients) {
      this.send(sub, sseComment('ping'));
      if (!sub.checking && now - sub.checkedAt >= this.options.revalidateMs) this.revalidate(sub, now);
    }
  }

  private revalidate(sub: LiveSubscriber, now: number): void {
    sub.checking = true;
    sub.stillAllowed().then(
      (allowed) => {
        sub.checking = false;
        sub.checkedAt = now;
        if (!allowed) this.end(sub);
      },
      () => {
        // Storage hiccup: keep the stream, ask again at the next beat.
        sub.checking = false;
      },
    );
  }

  private send(sub: LiveSubscriber, frame: string): void {
    if (sub.ended) return;
    if (sub.sink.buffered() > this.options.maxBufferedBytes) {
      this.end(sub);
      return;
    }
    sub.sink.write(frame);
  }

  private end(sub: LiveSubscriber): void {
    if (!sub.ended) {
      sub.ended = true;
      sub.sink.end();
    }
    this.remove(sub);
  }

  private stopTimers(): void {
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.pollTimer = null;
    this.heartbeat = null;
    this.starting = null;
  }
}

function unavailable(message: string, retryAfterSeconds: number): AppError {
  return new AppError('unavailable', message, { headers: { 'retry-after': String(retryAfterSeconds) } });
}
