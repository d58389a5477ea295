/**
 * The sender drains the outbox. Each tick (on a timer, and soon after new deliveries are written)
 * it claims every chat's due deliveries into that chat's free send slots (see claim-lane.ts and
 * pacing.ts), then one worker per chat sends them in order, one call at a time, each result
 * committed before the next call: per-chat spacing, ≤ 1 call per `botIntervalMs` per Telegram bot,
 * nothing before a 429's `retry_after`, 5xx/timeouts retried with backoff and jitter up to
 * `maxAttempts`, 400/401/403/404 failed for good with Telegram's reason.
 *
 * A delivery is sent at most once while everything works: it is held under this instance's
 * claim, sent only while the claim's lease is comfortably valid, and its result is recorded only
 * if the claim is still ours. The one gap — killed between Telegram's 200 and our commit — makes
 * the delivery go out again after its lease expires (at least once; see docs/notifications.md).
 * Never sends for an inactive or deleted bot.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/connect.js';
import type { ApiOutcome, BotApi, SentMessage } from './bot-api.js';
import type { BotDirectory, CachedBot } from './bot-directory.js';
import { retryBusy } from './busy-retry.js';
import { claimLane, type Lane, laneHasDue, rewindPacing } from './claim-lane.js';
import { digestMessage, heldBy, type Planned, planMessages } from './compose-message.js';
import {
  findStranded,
  recordCancelled,
  recordRetry,
  releaseAll,
  sweepDeliveries,
} from './delivery-results.js';
import { loadDigestItems, loadMessageEvents } from './message-events.js';
import { chatIntervalOf, freeSlots } from './pacing.js';
import { recordOutcome } from './record-outcome.js';

export interface SenderSettings {
  chatIntervalMs: number;
  groupIntervalMs: number;
  botIntervalMs: number;
  maxLagMs: number;
  pollMs: number;
  leaseMs: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface NotifyLog {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** What the sender reports about a bot whose chat or token Telegram refused for good. */
export type BotRefusedHook = (botId: number, description: string) => void;

interface LaneState {
  key: string;
  botId: number;
  chatId: string | null;
  tokenKey: string;
  pacingKey: string;
  queue: Planned[];
  /** The message whose call is under way (out of the queue). */
  inFlight: Planned | null;
  worker: Promise<void> | null;
  lastSentAt: number;
  /** The chat's next free slot as last seen: no claim is tried while it is beyond the lag. */
  knownNextAt: number;
  /** The next free slot our own last claim left: only this may be rewound when we give slots back. */
  reservedUntil: number;
}

interface Gate {
  /** No call with this token before this time (a 429's retry_after). */
  blockedUntil: number;
  lastSentAt: number;
}

const WAKE_DELAY_MS = 10;
const WAKE_AGAIN_MS = 50;

/**
 * A bot sends its own chat's messages only while active; the alert chat's (explicit lanes) as long
 * as it exists, since the alert settings chose it for alerts alone.
 */
function usable(bot: CachedBot, chatId: string | null): boolean {
  return chatId !== null || bot.isActive;
}
/** Most deliveries one digest takes (memory bound); more wait for the next free slot. */
const DIGEST_MAX = 50_000;
const RECORD_TRIES = 5;

export class Sender {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly lanes = new Map<string, LaneState>();
  private readonly explicitLanes = new Map<string, { botId: number; chatId: string }>();
  private readonly gates = new Map<string, Gate>();
  private readonly sleepers = new Set<() => void>();
  private pollTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private running = false;
  private stopping = false;
  private lastSweep = 0;
  /** Numbers this instance's digests (their rows carry it while claimed). */
  private batches = 0;

  constructor(
    private readonly db: Db,
    private readonly bots: BotDirectory,
    private readonly api: BotApi,
    private readonly s: SenderSettings,
    private readonly log: NotifyLog,
    private readonly onBotRefused: BotRefusedHook = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get isRunning(): boolean {
    return this.running && !this.stopping;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.pollTimer = setInterval(() => this.kick(), this.s.pollMs);
    this.pollTimer.unref();
    this.kick();
  }

  /**
   * New deliveries were written: look soon, and once more a little later, since they may still be
   * committing (on another thread's connection, even).
   */
  wake(): void {
    if (!this.running || this.stopping || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.kick();
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = null;
        this.kick();
      }, WAKE_AGAIN_MS);
    }, WAKE_DELAY_MS);
  }

  /** A chat other than a bot's own (the alert chat) that has deliveries. */
  addLane(botId: number, chatId: string): void {
    this.explicitLanes.set(`${botId}|${chatId}`, { botId, chatId });
    this.wake();
  }

  /** Until when a Telegram bot (by token hash) may not be called, after a 429; 0 when free. */
  blockedUntil(tokenKey: string): number {
    const until = this.gates.get(tokenKey)?.blockedUntil ?? 0;
    return until > this.now() ? until : 0;
  }

  private kick(): void {
    if (!this.running || this.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.log.warn({ err: error }, 'notify: a sender tick failed'))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const now = this.now();
    if (now - this.lastSweep >= Math.max(10 * this.s.pollMs, 5000)) {
      this.lastSweep = now;
      for (const l of await retryBusy(() => sweepDeliveries(this.db, now)))
        this.explicitLanes.set(`${l.botId}|${l.chatId}`, l);
      await this.releaseStranded(now);
    }
    const lanes: Array<{ botId: number; chatId: string | null }> = [
      ...this.bots.activeBots().map((b) => ({ botId: b.id, chatId: null })),
      ...this.explicitLanes.values(),
    ];
    for (const lane of lanes) {
      if (this.stopping) return;
      await this.fillLane(lane.botId, lane.chatId);
    }
  }

  private laneState(botId: number, chatId: string | null, tokenKey: string, pacingKey: string): LaneState {
    const key = `${botId}|${chatId ?? ''}`;
    let state = this.lanes.get(key);
    if (!state) {
      state = {
        key,
        botId,
        chatId,
        tokenKey,
        pacingKey,
        queue: [],
        inFlight: null,
        worker: null,
        lastSentAt: 0,
        knownNextAt: 0,
        reservedUntil: 0,
      };
      this.lanes.set(key, state);
    }
    state.tokenKey = tokenKey;
    state.pacingKey = pacingKey;
    return state;
  }

  /** Gives back the lane's planned messages (pending again, due at `dueAt`) and their unused slots. */
  private async releaseQueue(state: LaneState, dueAt: number, freeFrom: number): Promise<void> {
    const planned = state.queue.splice(0);
    if (planned.length === 0) return;
    await this.persist(async () => {
      for (const p of planned)
        await recordRetry(this.db, heldBy(p), this.holder, { dueAt, error: null, countAttempt: false });
      await rewindPacing(this.db, state.pacingKey, state.reservedUntil, freeFrom);
    });
    if (state.knownNextAt === state.reservedUntil) state.knownNextAt = Math.min(state.knownNextAt, freeFrom);
  }

  private gate(tokenKey: string): Gate {
    let gate = this.gates.get(tokenKey);
    if (!gate) {
      gate = { blockedUntil: 0, lastSentAt: 0 };
      this.gates.set(tokenKey, gate);
    }
    return gate;
  }

  private async fillLane(botId: number, chatId: string | null): Promise<void> {
    const bot = this.bots.get(botId);
    if (!bot || !usable(bot, chatId)) return;
    const chat = chatId ?? bot.chatId;
    const interval = chatIntervalOf(chat, this.s);
    const pacingKey = `chat:${bot.tokenKey}:${chat}`;
    const state = this.laneState(botId, chatId, bot.tokenKey, pacingKey);
    const now = this.now();
    // A delivery may wait up to one interval for a slot to free and one poll to be seen, and a
    // busy process sends a little after its slots (the delays add up along a chat's queue): plan
    // within what is left, so no event waits longer than maxLagMs for its message.
    const margin = Math.max(interval, this.s.maxLagMs * 0.05);
    const horizon = Math.max(interval, this.s.maxLagMs - interval - this.s.pollMs - margin);
    if (freeSlots(now, state.knownNextAt, interval, horizon) === 0) return;
    if (this.gate(bot.tokenKey).blockedUntil > now) return;
    const lane: Lane = { botId, chatId, pacingKey, interval };
    if (!(await retryBusy(() => laneHasDue(this.db, lane, now, this.holder)))) return;
    const { claim, nextAt } = await retryBusy(() =>
      claimLane(this.db, lane, {
        now,
        maxLagMs: horizon,
        // The lease outlasts a call started in time (see runLane), so no one else can take a
        // delivery while Telegram may still be answering for it.
        leaseMs: this.s.leaseMs + this.s.timeoutMs,
        holder: this.holder,
        batch: ++this.batches,
        digestMax: DIGEST_MAX,
      }),
    );
    if (nextAt !== null) state.knownNextAt = nextAt;
    if (!claim) return;
    state.reservedUntil = claim.plan.nextAt;
    const eventIds = claim.singles.flatMap((d) => (d.eventId === null ? [] : [d.eventId]));
    const { digest } = claim;
    let events: Awaited<ReturnType<typeof loadMessageEvents>>;
    let digestInfo: Awaited<ReturnType<typeof loadDigestItems>> | null = null;
    try {
      events = await retryBusy(() => loadMessageEvents(this.db, eventIds));
      if (digest) digestInfo = await retryBusy(() => loadDigestItems(this.db, this.holder, digest));
    } catch (error) {
      // Give the claim back rather than let it wait for its lease.
      await this.persist(async () => {
        const release = { dueAt: now, error: null, countAttempt: false };
        await recordRetry(this.db, { ids: claim.singles.map((d) => d.id) }, this.holder, release);
        if (digest) await recordRetry(this.db, digest, this.holder, release);
      });
      throw error;
    }
    state.queue.push(...planMessages(claim, bot, events, digestInfo));
    this.ensureWorker(state);
  }

  /** One worker per chat, running while its queue has messages. */
  private ensureWorker(state: LaneState): void {
    if (state.worker) return;
    state.worker = this.runLane(state)
      .catch(async (error: unknown) => {
        this.log.error({ err: error }, 'notify: a chat worker failed');
        await this.releaseQueue(state, this.now() + 1000, this.now());
      })
      .finally(() => {
        state.worker = null;
        // Messages planned while the worker was finishing must not wait for the next claim.
        if (state.queue.length > 0 && !this.stopping) this.ensureWorker(state);
      });
  }

  /**
   * Rows claimed by this instance whose lease ran out but that are neither planned nor being sent
   * here (a give-back that could not be written) go back to pending: no one else may take them,
   * and this instance never claims its own rows again.
   */
  private async releaseStranded(now: number): Promise<void> {
    const ids = new Set<number>();
    const batches = new Set<number>();
    for (const lane of this.lanes.values()) {
      for (const p of lane.inFlight ? [lane.inFlight, ...lane.queue] : lane.queue) {
        if (p.single) ids.add(p.single.id);
        if (p.digest) batches.add(p.digest.batch.batch);
      }
    }
    const stranded = await findStranded(this.db, this.holder, now);
    const free = stranded.filter((r) => (r.batch === null ? !ids.has(r.id) : !batches.has(r.batch)));
    if (free.length === 0) return;
    this.log.warn({ count: free.length }, 'notify: giving back deliveries left claimed');
    await this.persist(() =>
      recordRetry(this.db, { ids: free.map((r) => r.id) }, this.holder, {
        dueAt: now,
        error: null,
        countAttempt: false,
      }),
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.sleepers.add(done);
    });
  }

  private async runLane(state: LaneState): Promise<void> {
    while (state.queue.length > 0 && !this.stopping) {
      const next = state.queue[0] as Planned;
      const bot = this.bots.get(state.botId);
      if (!bot || !usable(bot, state.chatId)) {
        const planned = state.queue.splice(0);
        const cancel = { now: this.now(), reason: 'bot deleted or inactive' };
        await this.persist(async () => {
          for (const p of planned) await recordCancelled(this.db, heldBy(p), this.holder, cancel);
        });
        return;
      }
      const chat = state.chatId ?? bot.chatId;
      const gate = this.gate(bot.tokenKey);
      const at = Math.max(
        next.slot,
        state.lastSentAt + chatIntervalOf(chat, this.s),
        gate.blockedUntil,
        gate.lastSentAt + this.s.botIntervalMs,
      );
      const now = this.now();
      if (at > now) {
        await this.sleep(at - now);
        continue; // re-check: a 429 or another chat of the same bot may have moved things
      }
      if (now + this.s.timeoutMs + Math.min(this.s.leaseMs / 2, 5000) > next.leaseUntil) {
        // Too late to send under our claim: let it be claimed afresh rather than risk a double send.
        await this.releaseQueue(state, now, now);
        return;
      }
      const text = next.text ?? digestMessage(next.digest?.items ?? [], now);
      // Out of the queue before the call: what another chat's 429 gives back is only what is
      // still waiting, never a message Telegram may be answering for.
      state.queue.shift();
      state.inFlight = next;
      const sentAt = this.now();
      gate.lastSentAt = sentAt;
      state.lastSentAt = sentAt;
      try {
        const outcome = await this.api.sendMessage(bot.token, chat, text);
        await this.settle(state, bot, next, outcome);
      } finally {
        state.inFlight = null;
      }
    }
  }

  /** Records a call's outcome and applies what it means for the messages still planned. */
  private async settle(
    state: LaneState,
    bot: CachedBot,
    sent: Planned,
    outcome: ApiOutcome<SentMessage>,
  ): Promise<void> {
    const now = this.now();
    const step = await recordOutcome(
      {
        db: this.db,
        holder: this.holder,
        now,
        pacingKey: state.pacingKey,
        maxAttempts: this.s.maxAttempts,
        backoffBaseMs: this.s.backoffBaseMs,
        backoffMaxMs: this.s.backoffMaxMs,
        persist: (write) => this.persist(write),
        warn: (details, message) => this.log.warn(details, message),
        // The alert chat refusing says nothing of the bot's own chat: only its own marks it offline.
        refused: (description) => {
          if (state.chatId === null || state.chatId === bot.chatId) this.onBotRefused(bot.id, description);
        },
      },
      { rows: heldBy(sent), attempts: sent.single?.attempts ?? sent.digest?.attempts ?? 0 },
      outcome,
    );
    if (step.kind === 'block-bot') {
      const gate = this.gate(bot.tokenKey);
      gate.blockedUntil = Math.max(gate.blockedUntil, step.until);
      // Nothing of this Telegram bot goes out before then: every planned message is given back.
      for (const lane of this.lanes.values()) {
        if (lane.tokenKey === bot.tokenKey) await this.releaseQueue(lane, step.until, step.until);
      }
      state.knownNextAt = Math.max(state.knownNextAt, step.until);
    } else if (step.kind === 'pause-chat') {
      await this.releaseQueue(state, step.until, now + chatIntervalOf(state.chatId ?? bot.chatId, this.s));
    }
  }

  /** Runs a write, retrying briefly; if storage stays away the claim's lease sorts it out. */
  private async persist(write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await retryBusy(write);
        return;
      } catch (error) {
        if (attempt >= RECORD_TRIES) {
          this.log.error({ err: error }, 'notify: could not record a delivery result');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** Stops claiming, lets calls in flight finish and be recorded, and gives back what is left. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.pollTimer = null;
    this.wakeTimer = null;
    for (const wakeUp of [...this.sleepers]) wakeUp();
    await this.ticking;
    await Promise.all([...this.lanes.values()].map((l) => l.worker));
    const now = this.now();
    for (const lane of this.lanes.values()) await this.releaseQueue(lane, now, now);
    // Anything else still held (a claim whose planning was interrupted) goes back too.
    await this.persist(() => releaseAll(this.db, this.holder, now));
    this.running = false;
  }
}
