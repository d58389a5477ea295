/**
 * Where alerts go and when they fire: an admin chat, the bot whose token sends them, and the
 * thresholds (broken-tag spike, suspicious-deal window). Stored as one JSON value in `settings`;
 * a damaged value reads as "alerts off" rather than breaking anything.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';

export const ALERT_SETTINGS_KEY = 'notify.alerts';

export const chatIdSchema = z
  .string()
  .trim()
  .regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, 'a numeric chat id (negative for groups) or @channel');

export const alertSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** The bot whose token sends the alerts (it need not be active for events). */
  botId: z.number().int().positive().nullable().default(null),
  chatId: chatIdSchema.nullable().default(null),
  /** Broken-tag events of one brand within the window that make a spike. */
  brokenSpikeThreshold: z.number().int().min(1).max(1_000_000_000).default(50),
  /** Hours of hourly rollups the spike is counted over (the current hour plus the ones before). */
  brokenSpikeWindowHours: z.number().int().min(1).max(168).default(1),
  /** The period a brand × source's conversion is judged over for "suspicious". */
  suspiciousWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(24),
});

export type AlertSettings = z.infer<typeof alertSettingsSchema>;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = alertSettingsSchema.parse({});

export async function getAlertSettings(db: Kysely<Database>): Promise<AlertSettings> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', ALERT_SETTINGS_KEY)
    .executeTakeFirst();
  if (!row) return DEFAULT_ALERT_SETTINGS;
  try {
    const parsed = alertSettingsSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : DEFAULT_ALERT_SETTINGS;
  } catch {
    return DEFAULT_ALERT_SETTINGS;
  }
}

export async function saveAlertSettings(
  db: Kysely<Database>,
  settings: AlertSettings,
  now = Date.now(),
): Promise<void> {
  const value = JSON.stringify(settings);
  await db
    .insertInto('settings')
    .values({ key: ALERT_SETTINGS_KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}
