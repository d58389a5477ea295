/**
 * Configuration: environment variables (and an optional `.env` file) parsed and validated once.
 * Nothing else in the code base reads `process.env`; everything receives a `Config`.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const numberFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const configSchema = z.object({
  PORT: numberFromEnv(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .default('sqlite:./data/affpanel.db'),
  PUBLIC_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  /** Group commit: the longest a postback waits for its batch to be flushed. */
  INGEST_FLUSH_MS: numberFromEnv(0, 1000).default(1),
  /** Group commit: a batch is flushed at once when it holds this many items. */
  INGEST_BATCH_MAX: numberFromEnv(1, 5000).default(1000),
  /** Items waiting for storage beyond which new postbacks are refused with 503. */
  INGEST_QUEUE_MAX: numberFromEnv(100, 1_000_000).default(50_000),
  /** Largest postback body accepted, in bytes. */
  POSTBACK_BODY_LIMIT: numberFromEnv(1024, 10 * 1024 * 1024).default(64 * 1024),
  /** Trust X-Forwarded-For from a reverse proxy (needed for IP allow-lists behind one). */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Seconds a rotated-out source key keeps working, so networks can be updated without loss. */
  KEY_ROTATION_GRACE_SECONDS: numberFromEnv(0, 30 * 24 * 3600).default(24 * 3600),
  /**
   * Where writes run: writer threads (auto: when running the built server; SQLite: postback
   * batches and the rollup fold, PostgreSQL: the fold) or the HTTP thread.
   */
  INGEST_WRITER: z.enum(['auto', 'thread', 'inline']).default('auto'),
  /**
   * The longest a read waits for events already stored to be counted into the rollups. Past it the
   * answer comes from what is counted so far and says so (`X-Figures-Pending`).
   */
  READ_CATCH_UP_MS: numberFromEnv(1, 600_000).default(100),
  /** How long a SQLite write waits for another process's lock before the postback gets a 503. */
  SQLITE_BUSY_TIMEOUT_MS: numberFromEnv(0, 60_000).default(5000),
  /** The Telegram bot whose Login Widget admits people (token from @BotFather, name without @). */
  TELEGRAM_LOGIN_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC-DEF… (a bot token from @BotFather)')
    .optional(),
  TELEGRAM_LOGIN_BOT_NAME: z
    .string()
    .regex(/^\w{3,64}$/, 'the bot username without @')
    .optional(),
  /** Login Widget data older than this is refused. */
  TELEGRAM_LOGIN_MAX_AGE_SECONDS: numberFromEnv(60, 30 * 24 * 3600).default(24 * 3600),
  /** A session unused this long ends. */
  SESSION_IDLE_HOURS: numberFromEnv(1, 24 * 90).default(24),
  /** A session ends this long after login, used or not. */
  SESSION_MAX_DAYS: numberFromEnv(1, 365).default(30),
  /** Login attempts per client address per minute. */
  LOGIN_RATE_LIMIT_PER_MINUTE: numberFromEnv(1, 10_000).default(20),
  /** Where the Telegram Bot API is (a fake one on 127.0.0.1 in tests and benchmarks). */
  TELEGRAM_API_BASE_URL: z.url().default('https://api.telegram.org'),
  /** Shortest gap between two messages to one private chat (Telegram: about 1 per second). */
  NOTIFY_CHAT_INTERVAL_MS: numberFromEnv(1, 600_000).default(1000),
  /** Shortest gap between two messages to one group (negative chat id; Telegram: 20 per minute). */
  NOTIFY_GROUP_INTERVAL_MS: numberFromEnv(1, 600_000).default(3000),
  /** Shortest gap between two messages of one bot token overall (Telegram: 30 per second). */
  NOTIFY_BOT_INTERVAL_MS: numberFromEnv(1, 60_000).default(34),
  /** Longest an event may wait for its message; a backlog beyond this goes out as one digest. */
  NOTIFY_MAX_LAG_MS: numberFromEnv(10, 3_600_000).default(60_000),
  /** How often the sender looks for due deliveries besides being woken by new ones. */
  NOTIFY_POLL_MS: numberFromEnv(10, 60_000).default(1000),
  /** A claimed delivery not finished this long after its planned send is claimed again. */
  NOTIFY_LEASE_MS: numberFromEnv(100, 3_600_000).default(30_000),
  /** A Bot API call without an answer after this long counts as a timeout (retried). */
  NOTIFY_TIMEOUT_MS: numberFromEnv(50, 120_000).default(10_000),
  /** Attempts at a delivery (5xx, timeouts, network errors) before it fails for good. */
  NOTIFY_MAX_ATTEMPTS: numberFromEnv(1, 100).default(10),
  /** Backoff after the first failed attempt; doubled each attempt, with jitter, up to the max. */
  NOTIFY_BACKOFF_BASE_MS: numberFromEnv(1, 3_600_000).default(1000),
  NOTIFY_BACKOFF_MAX_MS: numberFromEnv(1, 24 * 3_600_000).default(600_000),
  /** How often each active bot's health is checked with getMe (0 = only on demand). */
  NOTIFY_HEALTH_INTERVAL_MS: numberFromEnv(0, 24 * 3_600_000).default(300_000),
  /** How often alert conditions are evaluated (0 = never). */
  NOTIFY_ALERT_INTERVAL_MS: numberFromEnv(0, 24 * 3_600_000).default(60_000),
  /** How often the in-memory bot list is reloaded (another instance's edits arrive within this). */
  NOTIFY_BOTS_REFRESH_MS: numberFromEnv(50, 600_000).default(5000),
});

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string;
  publicBaseUrl: string;
  logLevel: (typeof logLevels)[number];
  ingest: {
    flushMs: number;
    batchMax: number;
    queueMax: number;
    bodyLimit: number;
    writer: 'auto' | 'thread' | 'inline';
  };
  trustProxy: boolean;
  /** See READ_CATCH_UP_MS. */
  readCatchUpMs: number;
  keyRotationGraceSeconds: number;
  sqliteBusyTimeoutMs: number;
  access: {
    telegramBotToken: string | null;
    telegramBotName: string | null;
    telegramMaxAgeSeconds: number;
    sessionIdleMs: number;
    sessionMaxMs: number;
    loginRatePerMinute: number;
  };
  notify: NotifyConfig;
}>;

export type NotifyConfig = Readonly<{
  apiBaseUrl: string;
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
  healthIntervalMs: number;
  alertIntervalMs: number;
  botsRefreshMs: number;
}>;

export class ConfigError extends Error {}

/** Parses an environment map; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    logLevel: c.LOG_LEVEL,
    ingest: {
      flushMs: c.INGEST_FLUSH_MS,
      batchMax: c.INGEST_BATCH_MAX,
      queueMax: c.INGEST_QUEUE_MAX,
      bodyLimit: c.POSTBACK_BODY_LIMIT,
      writer: c.INGEST_WRITER,
    },
    trustProxy: c.TRUST_PROXY,
    readCatchUpMs: c.READ_CATCH_UP_MS,
    keyRotationGraceSeconds: c.KEY_ROTATION_GRACE_SECONDS,
    sqliteBusyTimeoutMs: c.SQLITE_BUSY_TIMEOUT_MS,
    access: {
      telegramBotToken: c.TELEGRAM_LOGIN_BOT_TOKEN ?? null,
      telegramBotName: c.TELEGRAM_LOGIN_BOT_NAME ?? null,
      telegramMaxAgeSeconds: c.TELEGRAM_LOGIN_MAX_AGE_SECONDS,
      sessionIdleMs: c.SESSION_IDLE_HOURS * 3600_000,
      sessionMaxMs: c.SESSION_MAX_DAYS * 24 * 3600_000,
      loginRatePerMinute: c.LOGIN_RATE_LIMIT_PER_MINUTE,
    },
    notify: {
      apiBaseUrl: c.TELEGRAM_API_BASE_URL.replace(/\/+$/, ''),
      chatIntervalMs: c.NOTIFY_CHAT_INTERVAL_MS,
      groupIntervalMs: c.NOTIFY_GROUP_INTERVAL_MS,
      botIntervalMs: c.NOTIFY_BOT_INTERVAL_MS,
      maxLagMs: c.NOTIFY_MAX_LAG_MS,
      pollMs: c.NOTIFY_POLL_MS,
      leaseMs: c.NOTIFY_LEASE_MS,
      timeoutMs: c.NOTIFY_TIMEOUT_MS,
      maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
      backoffBaseMs: c.NOTIFY_BACKOFF_BASE_MS,
      backoffMaxMs: c.NOTIFY_BACKOFF_MAX_MS,
      healthIntervalMs: c.NOTIFY_HEALTH_INTERVAL_MS,
      alertIntervalMs: c.NOTIFY_ALERT_INTERVAL_MS,
      botsRefreshMs: c.NOTIFY_BOTS_REFRESH_MS,
    },
  };
}

/** Reads `.env` (when present) into the process environment, then parses it. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
