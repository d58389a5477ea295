/**
 * Table types of the notifier (migration 0005: bots, notify_deliveries, notify_pacing,
 * notify_alerts), for `kysely.withTables<NotifyTables>()`. Kept beside the code that uses them;
 * the migration is the source of truth. Types only, no I/O.
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database, Flag, Millis } from '../db/schema.js';

export interface BotsTable {
  id: Generated<number>;
  name: string;
  /** The Bot API token: needed to send, so stored as is; never returned by the API after saving. */
  token: string;
  /** Telegram chat id (negative for groups and channels) or @channel username. */
  chat_id: string;
  business_unit: string | null;
  is_active: Flag;
  /** JSON of a BotScope (brands, sources, affiliates, types, test events). */
  scope: string;
  /** Telegram-HTML message template with {placeholders}; null = the default template. */
  template: string | null;
  health_status: 'unknown' | 'online' | 'offline';
  health_checked_at: Millis | null;
  health_error: string | null;
  bot_username: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export type DeliveryKind = 'event' | 'alert' | 'test';
/**
 * pending → sending (claimed, leased) → sent | digested | failed; pending again after a retryable
 * failure; cancelled when its bot is deleted or deactivated before it went out.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'digested' | 'failed' | 'cancelled';

export interface NotifyDeliveriesTable {
  id: Generated<number>;
  bot_id: number;
  kind: Generated<DeliveryKind>;
  /** The event announced (kind 'event'); null for alerts and test messages. */
  event_id: number | null;
  /** Target chat when not the bot's own (alerts go to the admin chat); null = the bot's chat. */
  chat_id: string | null;
  /** Pre-rendered text (alerts, test messages); events are rendered when sent. */
  text: string | null;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  /** When the row next needs attention: a pending row's earliest send, a claimed row's lease end. */
  due_at: Millis;
  /** The sender instance holding the claim (while status is 'sending'). */
  claimed_by: string | null;
  /** Set on the rows a digest claimed together (with claimed_by, it names them as a group). */
  batch: number | null;
  created_at: Millis;
  finished_at: Millis | null;
  error: string | null;
  message_id: number | null;
  /** For digested rows: how many deliveries the digest message covered. */
  digest_size: number | null;
}

export interface NotifyPacingTable {
  /** `chat:<token hash>:<chat id>`. */
  key: string;
  /** The earliest time the next message to that chat may be sent. */
  next_at: Millis;
}

export interface NotifyAlertsTable {
  /** The condition, e.g. `source_silent:cellxpert`. */
  key: string;
  kind: string;
  subject: string;
  detail: string;
  opened_at: Millis;
  /** null while the condition holds. */
  resolved_at: Millis | null;
}

export type NotifyTables = {
  bots: BotsTable;
  notify_deliveries: NotifyDeliveriesTable;
  notify_pacing: NotifyPacingTable;
  notify_alerts: NotifyAlertsTable;
};

export type NotifyDb = Kysely<Database & NotifyTables>;
export type BotRow = Selectable<BotsTable>;
export type DeliveryRow = Selectable<NotifyDeliveriesTable>;

/** The same connection (or transaction), typed with the notifier's tables too. */
export function withNotifyTables(db: Kysely<Database>): NotifyDb {
  return db.withTables<NotifyTables>();
}
