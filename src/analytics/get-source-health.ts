/**
 * Source health (Settings card, Sources page status): per registered source, events today, the
 * minutes since its last received event, and a status from the source's own lag thresholds:
 * healthy up to the warning threshold, warning up to the error threshold, error beyond, unknown
 * when it has never sent anything. Production events only, like every other figure: a source
 * that receives nothing but test postbacks (the Link Generator's) is not healthy. Reads
 * rollup_source only.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { toNumber } from './metrics.js';
import { DAY_MS, startOfDay } from './periods.js';
import { withAnalyticsTables } from './tables.js';

export type HealthStatus = 'healthy' | 'warning' | 'error' | 'unknown';

export interface SourceHealth {
  source: string;
  name: string;
  is_active: boolean;
  events_today: number;
  last_event_at: string | null;
  lag_minutes: number | null;
  status: HealthStatus;
}

export function healthStatus(lagMinutes: number | null, warning: number, error: number): HealthStatus {
  if (lagMinutes === null) return 'unknown';
  if (lagMinutes <= warning) return 'healthy';
  if (lagMinutes <= error) return 'warning';
  return 'error';
}

export async function getSourceHealth(db: Db, now: number): Promise<SourceHealth[]> {
  const adb = withAnalyticsTables(db.kysely);
  const today = startOfDay(now);
  const [sources, last, todayRows] = await Promise.all([
    db.kysely
      .selectFrom('sources')
      .select(['id', 'slug', 'name', 'is_active', 'lag_warning_minutes', 'lag_error_minutes'])
      .orderBy('slug')
      .execute(),
    adb
      .selectFrom('rollup_source')
      .select(['source_id', sql<number>`max(last_received_at)`.as('last')])
      .where('is_test', '=', 0)
      .groupBy('source_id')
      .execute(),
    adb
      .selectFrom('rollup_source')
      .select(['source_id', sql<string>`sum(event_count)`.as('n')])
      .where('grain', '=', 'd')
      .where('is_test', '=', 0)
      .where('bucket_start', '>=', today)
      .where('bucket_start', '<', today + DAY_MS)
      .groupBy('source_id')
      .execute(),
  ]);
  const lastBy = new Map(last.map((r) => [toNumber(r.source_id), toNumber(r.last)]));
  const todayBy = new Map(todayRows.map((r) => [toNumber(r.source_id), toNumber(r.n)]));
  return sources.map((s) => {
    const lastAt = lastBy.get(Number(s.id)) ?? null;
    const lag = lastAt === null ? null : Math.max(0, Math.floor((now - lastAt) / 60_000));
    return {
      source: s.slug,
      name: s.name,
      is_active: s.is_active === 1,
      events_today: todayBy.get(Number(s.id)) ?? 0,
      last_event_at: lastAt === null ? null : new Date(lastAt).toISOString(),
      lag_minutes: lag,
      status: healthStatus(lag, s.lag_warning_minutes, s.lag_error_minutes),
    };
  });
}
