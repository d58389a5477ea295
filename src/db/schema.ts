/**
 * Table types for the query layer. Times are epoch milliseconds (integers) in both databases,
 * booleans are 0/1 integers and money is integer micro-units, so one query serves SQLite and
 * PostgreSQL alike. Never add a column here without a migration.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Epoch milliseconds, UTC. */
export type Millis = number;
/** 0 or 1. */
export type Flag = number;

export interface SourcesTable {
  id: Generated<number>;
  slug: string;
  name: string;
  template: string;
  auth_mode: 'key' | 'hmac';
  secret_key: string;
  previous_key: string | null;
  previous_key_expires_at: Millis | null;
  /** The key before the previous one, still in its own grace period after a second rotation. */
  older_key: string | null;
  older_key_expires_at: Millis | null;
  /** JSON array of CIDR strings; empty array = any address. */
  ip_allowlist: string;
  /** JSON object: canonical field -> network parameter names (overrides the template's). */
  param_map: string;
  /** JSON object: network event word -> type (merged over the template's). */
  event_map: string;
  /** JSON array of status words that mean declined. */
  declined_statuses: string;
  default_currency: string | null;
  lag_warning_minutes: number;
  lag_error_minutes: number;
  is_active: Flag;
  created_at: Millis;
  updated_at: Millis;
}

export interface BrandsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  is_blocked: Flag;
  /** When set, events for this slug are counted under that brand (a merged alias). */
  alias_of: number | null;
  created_at: Millis;
}

export interface EventsTable {
  id: number;
  received_at: Millis;
  occurred_at: Millis;
  type: string;
  raw_event: string;
  brand_id: number;
  source_id: number;
  affiliate_id: string | null;
  sub_id: string | null;
  external_uid: string | null;
  transaction_id: string | null;
  tracking_tag: string | null;
  traffic_source: string | null;
  country: string | null;
  amount_micros: number | null;
  currency: string | null;
  is_test: Flag;
  sender: string | null;
  sheet: string | null;
  /** Comma-separated canonical field names that hold an unsubstituted macro. */
  broken_fields: string | null;
  broken_macro: string | null;
  dedup_key: string | null;
  raw_query: string;
  raw_body: string | null;
  ip: string | null;
}

export interface RejectionsTable {
  id: Generated<number>;
  /** Hash of source, method, query and body: the same bad request retried is one row. */
  fingerprint: string;
  first_seen_at: Millis;
  last_seen_at: Millis;
  attempts: number;
  source_slug: string;
  source_id: number | null;
  brand_slug: string | null;
  reason_code: string;
  reason: string;
  field: string | null;
  method: string;
  raw_query: string;
  raw_body: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RollupHourlyTable {
  hour_start: Millis;
  brand_id: number;
  source_id: number;
  /** '' when the event had no affiliate id. */
  affiliate_id: string;
  is_test: Flag;
  type: string;
  /** '' when the event had no amount. */
  currency: string;
  event_count: number;
  amount_micros: number;
  broken_count: number;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: Millis;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: Millis;
}

export type Role = 'admin' | 'viewer';
export type UserStatus = 'pending' | 'approved' | 'rejected';

export interface UsersTable {
  id: Generated<number>;
  telegram_id: string | null;
  first_name: string;
  last_name: string;
  username: string | null;
  photo_url: string | null;
  role: Role;
  status: UserStatus;
  /** 0 = deactivated by an admin: cannot log in, sessions ended. */
  is_active: Flag;
  created_at: Millis;
  updated_at: Millis;
  last_login_at: Millis | null;
}

export interface SessionsTable {
  /** SHA-256 of the session id; the id itself lives only in the browser's cookie. */
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Millis;
  last_seen_at: Millis;
  /** Absolute expiry; idle expiry is last_seen_at + the idle setting. */
  expires_at: Millis;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginLinksTable {
  token_hash: string;
  user_id: number;
  created_at: Millis;
  expires_at: Millis;
  used_at: Millis | null;
}

export interface TelegramLoginHashesTable {
  hash: string;
  used_at: Millis;
}

export interface ApiClientsTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  token_prefix: string;
  is_active: Flag;
  rate_limit_per_minute: number;
  last_used_at: Millis | null;
  created_at: Millis;
  created_by: number | null;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: Millis;
  count: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Millis;
  actor_user_id: number | null;
  /** Who, readable: `@username`, `tg:123`, `api:crm`, `cli`, `anonymous`. */
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  /** JSON of the record before and after the change (secrets never included). */
  before: string | null;
  after: string | null;
  ip: string | null;
}

export interface RollupQueueTable {
  event_id: number;
}

export interface Database {
  sources: SourcesTable;
  brands: BrandsTable;
  events: EventsTable;
  rejections: RejectionsTable;
  rollup_hourly: RollupHourlyTable;
  idempotency_keys: IdempotencyKeysTable;
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_links: LoginLinksTable;
  telegram_login_hashes: TelegramLoginHashesTable;
  api_clients: ApiClientsTable;
  rate_limits: RateLimitsTable;
  audit_log: AuditLogTable;
  rollup_queue: RollupQueueTable;
}

export type SourceRow = Selectable<SourcesTable>;
export type NewSource = Insertable<SourcesTable>;
export type BrandRow = Selectable<BrandsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type RejectionRow = Selectable<RejectionsTable>;
export type RollupRow = Selectable<RollupHourlyTable>;
export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiClientRow = Selectable<ApiClientsTable>;
export type AuditRow = Selectable<AuditLogTable>;

export type { ColumnType };
