/**
 * What claimed deliveries' messages need from storage: the events of single messages (names
 * resolved, the amount as an exact decimal), and a digest's counts. Read-only.
 */
import type { Db } from '../db/connect.js';
import { formatMicros } from '../ingest/normalise/amount.js';
import { chunks, type DigestBatch } from './claim-lane.js';
import type { DigestItem } from './digest.js';
import type { MessageEvent } from './message-template.js';
import { withNotifyTables } from './tables.js';

/** The events, by id, as messages show them. */
export async function loadMessageEvents(
  db: Db,
  eventIds: readonly number[],
): Promise<Map<number, MessageEvent>> {
  const out = new Map<number, MessageEvent>();
  if (eventIds.length === 0) return out;
  for (const ids of chunks([...new Set(eventIds)], 900)) {
    const rows = await db.kysely
      .selectFrom('events')
      .leftJoin('brands', 'brands.id', 'events.brand_id')
      .leftJoin('sources', 'sources.id', 'events.source_id')
      .select([
        'events.id',
        'events.received_at',
        'events.occurred_at',
        'events.type',
        'events.raw_event',
        'brands.slug as brand',
        'sources.slug as source',
        'events.affiliate_id',
        'events.sub_id',
        'events.external_uid',
        'events.transaction_id',
        'events.tracking_tag',
        'events.traffic_source',
        'events.country',
        'events.amount_micros',
        'events.currency',
        'events.is_test',
        'events.sender',
        'events.sheet',
        'events.broken_macro',
      ])
      .where('events.id', 'in', ids)
      .execute();
    for (const r of rows) {
      out.set(Number(r.id), {
        id: Number(r.id),
        receivedAt: Number(r.received_at),
        occurredAt: Number(r.occurred_at),
        type: r.type,
        rawEvent: r.raw_event,
        brand: r.brand ?? '?',
        source: r.source ?? '?',
        affiliateId: r.affiliate_id,
        subId: r.sub_id,
        externalUid: r.external_uid,
        transactionId: r.transaction_id,
        trackingTag: r.tracking_tag,
        trafficSource: r.traffic_source,
        country: r.country,
        amount: r.amount_micros === null ? null : formatMicros(BigInt(r.amount_micros)),
        currency: r.currency,
        isTest: Number(r.is_test) === 1,
        sender: r.sender,
        sheet: r.sheet,
        brokenMacro: r.broken_macro,
      });
    }
  }
  return out;
}

/**
 * What a digest says, counted in the database: its claimed rows grouped by kind, event type and
 * brand, with the oldest arrival; and the highest attempt count among them (for the backoff).
 */
export async function loadDigestItems(
  db: Db,
  holder: string,
  digest: DigestBatch,
): Promise<{ items: DigestItem[]; attempts: number }> {
  const rows = await withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .leftJoin('events', 'events.id', 'notify_deliveries.event_id')
    .leftJoin('brands', 'brands.id', 'events.brand_id')
    .select((eb) => [
      'notify_deliveries.kind',
      'events.type',
      'brands.slug as brand',
      eb.fn.countAll<number>().as('n'),
      eb.fn.min(eb.fn.coalesce('events.received_at', 'notify_deliveries.created_at')).as('since'),
      eb.fn.max('notify_deliveries.attempts').as('attempts'),
    ])
    .where('notify_deliveries.status', '=', 'sending')
    .where('notify_deliveries.bot_id', '=', digest.botId)
    .where('notify_deliveries.claimed_by', '=', holder)
    .where('notify_deliveries.batch', '=', digest.batch)
    .groupBy(['notify_deliveries.kind', 'events.type', 'brands.slug'])
    .execute();
  return {
    items: rows.map((r) => ({
      kind: r.kind,
      ...(r.type === null ? {} : { type: r.type }),
      ...(r.brand === null ? {} : { brand: r.brand }),
      since: Number(r.since),
      count: Number(r.n),
    })),
    attempts: rows.reduce((max, r) => Math.max(max, Number(r.attempts)), 0),
  };
}
