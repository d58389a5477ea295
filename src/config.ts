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
  INGEST_FLUSH_MS: numberFromEnv(0, 1000).default(4),
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
});

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string;
  publicBaseUrl: string;
  logLevel: (typeof logLevels)[number];
  ingest: { flushMs: number; batchMax: number; queueMax: number; bodyLimit: number };
  trustProxy: boolean;
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
    },
    trustProxy: c.TRUST_PROXY,
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
  };
}

/** Reads `.env` (when present) into the process environment, then parses it. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
