/**
 * "Failed Notifs" for the Deal Audit: event deliveries that failed for good (Telegram refused them,
 * or retries ran out), per brand × source of their event, for events in the period. Alerts and
 * test messages are not deals and are not counted. Read-only.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { withNotifyTables } from './tables.js';

export interface FailedFilter {
  testFlags: number[];
  affiliateId?: string | null;
}

/** Counts keyed `brandId|sourceId`. */
export async function countFailedDeliveries(
  db: Db,
  range: { from: number; to: number },
  filter: FailedFilter,
): Promise<Map<string, number>> {
  let q = withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .innerJoin('events', 'events.id', 'notify_deliveries.event_id')
    .select(['events.brand_id', 'events.source_id', sql<string>`count(*)`.as('n')])
    .where('notify_deliveries.status', '=', 'failed')
    .where('notify_deliveries.kind', '=', 'event')
    .where('events.occurred_at', '>=', range.from)
    .where('events.occurred_at', '<', range.to)
    .where('events.is_test', 'in', filter.testFlags);
  if (filter.affiliateId != null) q = q.where('events.affiliate_id', '=', filter.affiliateId);
  const rows = await q.groupBy(['events.brand_id', 'events.source_id']).execute();
  return new Map(rows.map((r) => [`${Number(r.brand_id)}|${Number(r.source_id)}`, Number(r.n)]));
}

export interface FailedDelivery {
  id: number;
  event_id: number;
  type: string;
  occurred_at: string;
  bot: string;
  attempts: number;
  failed_at: string | null;
  error: string | null;
}

/** The failed deliveries of one deal, newest event first. */
export async function listFailedDeliveries(
  db: Db,
  deal: { brandId: number; sourceId: number },
  range: { from: number; to: number },
  testFlags: number[],
  limit: number,
): Promise<FailedDelivery[]> {
  const rows = await withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .innerJoin('events', 'events.id', 'notify_deliveries.event_id')
    .leftJoin('bots', 'bots.id', 'notify_deliveries.bot_id')
    .select([
      'notify_deliveries.id',
      'notify_deliveries.event_id',
      'events.type',
      'events.occurred_at',
      'bots.name as bot',
      'notify_deliveries.bot_id',
      'notify_deliveries.attempts',
      'notify_deliveries.finished_at',
      'notify_deliveries.error',
    ])
    .where('notify_deliveries.status', '=', 'failed')
    .where('notify_deliveries.kind', '=', 'event')
    .where('events.brand_id', '=', deal.brandId)
    .where('events.source_id', '=', deal.sourceId)
    .where('events.occurred_at', '>=', range.from)
    .where('events.occurred_at', '<', range.to)
    .where('events.is_test', 'in', testFlags)
    .orderBy('events.occurred_at', 'desc')
    .orderBy('notify_deliveries.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    event_id: Number(r.event_id),
    type: r.type,
    occurred_at: new Date(Number(r.occurred_at)).toISOString(),
    bot: r.bot ?? `deleted bot #${Number(r.bot_id)}`,
    attempts: Number(r.attempts),
    failed_at: r.finished_at === null ? null : new Date(Number(r.finished_at)).toISOString(),
    error: r.error,
  }));
}
