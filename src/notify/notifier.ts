/**
 * The notifier as the app holds it: the cached bots (bound to the ingest path's outbox), the Bot
 * API client, the sender, and the timers for health checks and alerts. Created with every app
 * context (so the CLI's imports write deliveries too) but started only where asked — the server —
 * so a command-line run never sends. Stopped before storage closes.
 */
import { sql } from 'kysely';
import type { NotifyConfig } from '../config.js';
import { connect, type Db } from '../db/connect.js';
import { getAlertSettings } from './alert-settings.js';
import { type AlertChanges, applyAlertConditions, evaluateAlertConditions } from './alerts.js';
import { BotApi } from './bot-api.js';
import { BotDirectory } from './bot-directory.js';
import { deliveryStatus } from './bot-messages.js';
import { retryBusy } from './busy-retry.js';
import { checkBotHealth, type HealthResult, markBotRefused } from './health-check.js';
import { bindOutbox, unbindOutbox } from './outbox.js';
import { type NotifyLog, Sender } from './sender.js';
import type { DeliveryStatus } from './tables.js';

export interface NotifierHooks {
  /** Brings the derived rollups up to date before alert conditions are read. */
  catchUp(): Promise<unknown>;
}

export class Notifier {
  readonly bots: BotDirectory;
  readonly api: BotApi;
  readonly sender: Sender;
  private healthTimer: NodeJS.Timeout | null = null;
  private alertTimer: NodeJS.Timeout | null = null;
  private background = new Set<Promise<unknown>>();
  private readonly signals: { botsChanged(): void };
  private readonly ownsDb: boolean;
  private readonly ingestDb: Db;

  /** The notifier's own connection (SQLite: no busy timeout, see busy-retry.ts); PostgreSQL: the app's pool. */
  private readonly db: Db;

  constructor(
    ingestDb: Db,
    private readonly config: NotifyConfig,
    private readonly log: NotifyLog,
    private readonly hooks: NotifierHooks,
  ) {
    const ownConnection = ingestDb.dialect === 'sqlite' && ingestDb.sqlitePath !== ':memory:';
    const db = ownConnection ? connect(ingestDb.url, { busyTimeoutMs: 0 }) : ingestDb;
    this.db = db;
    this.ownsDb = db !== ingestDb;
    this.bots = new BotDirectory(db, config.botsRefreshMs);
    this.api = new BotApi(config.apiBaseUrl, config.timeoutMs);
    this.sender = new Sender(db, this.bots, this.api, config, log, (botId, description) => {
      this.track(retryBusy(() => markBotRefused(db, botId, description)));
    });
    this.signals = bindOutbox(ingestDb, this.bots, () => this.sender.wake());
    this.ingestDb = ingestDb;
  }

  async init(): Promise<void> {
    if (this.ownsDb) {
      // This connection records claims and results, not events: a commit need not wait for the
      // disk (WAL: it survives a process crash, a power cut may undo the last ones, which the
      // leases then redo). Each fsync would otherwise stall the HTTP thread.
      await sql`pragma synchronous = NORMAL`.execute(this.db.kysely);
      // Nor run a WAL checkpoint (copying pages back, with fsyncs): the ingest writer's does.
      await sql`pragma wal_autocheckpoint = 0`.execute(this.db.kysely);
    }
    await this.bots.refresh();
  }

  /** Starts sending, health checks and alerts (the server does this; the CLI does not). */
  start(): void {
    this.sender.start();
    if (this.config.healthIntervalMs > 0 && !this.healthTimer) {
      this.healthTimer = setInterval(() => this.track(this.checkAllHealth()), this.config.healthIntervalMs);
      this.healthTimer.unref();
    }
    if (this.config.alertIntervalMs > 0 && !this.alertTimer) {
      this.alertTimer = setInterval(() => this.track(this.checkAlerts()), this.config.alertIntervalMs);
      this.alertTimer.unref();
    }
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch((error: unknown) => this.log.warn({ err: error }, 'notify: background work failed'));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /** A bot was created, edited or deleted here: reload at once and look for work. */
  async botsChanged(): Promise<void> {
    this.signals.botsChanged();
    await this.bots.refresh();
    this.sender.wake();
  }

  async checkHealth(bot: { id: number; token: string; tokenKey: string }): Promise<HealthResult> {
    return checkBotHealth(this.db, this.api, bot, this.sender.blockedUntil(bot.tokenKey));
  }

  private async checkAllHealth(): Promise<void> {
    for (const bot of this.bots.activeBots()) await this.checkHealth(bot);
  }

  /** Evaluates the alert conditions once; null when alerts are off or have nowhere to go. */
  async checkAlerts(now = Date.now()): Promise<AlertChanges | null> {
    const settings = await getAlertSettings(this.db.kysely);
    if (!settings.enabled || settings.botId === null || settings.chatId === null) return null;
    await this.hooks.catchUp();
    const conditions = await evaluateAlertConditions(this.db, settings, now);
    const target = { ...settings, botId: settings.botId, chatId: settings.chatId };
    const changes = await retryBusy(() => applyAlertConditions(this.db, target, conditions, now));
    if (changes.opened.length + changes.resolved.length > 0)
      this.sender.addLane(settings.botId, settings.chatId);
    return changes;
  }

  /** Waits (polling) until a delivery is no longer pending or sending, up to `timeoutMs`. */
  async waitForDelivery(
    id: number,
    timeoutMs: number,
  ): Promise<{ status: DeliveryStatus; error: string | null } | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await deliveryStatus(this.db, id);
      if (!row || (row.status !== 'pending' && row.status !== 'sending') || Date.now() >= until) return row;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    if (this.alertTimer) clearInterval(this.alertTimer);
    this.healthTimer = null;
    this.alertTimer = null;
    await Promise.all(this.background);
    await this.sender.stop();
  }

  /** Detaches from the ingest path and closes its own connection (the context is closing). */
  async close(): Promise<void> {
    unbindOutbox(this.ingestDb);
    if (this.ownsDb) await this.db.close();
  }
}
