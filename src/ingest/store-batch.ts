/**
 * The last step: one transaction per batch. Creates brands seen for the first time, inserts the
 * events (duplicates fall on the unique dedup index and are answered with the first event's id),
 * adds the batch's counts to the hourly rollups and records rejections, all or nothing.
 * Multi-row statements keep the cost per event low; nothing here runs per request.
 */
import type { Kysely } from 'kysely';
import type { BrandDirectory } from '../brands/brand-directory.js';
import type { Db } from '../db/connect.js';
import {
  allocateEventIds,
  type CounterTable,
  insertRows,
  lockForWrite,
  upsertCounters,
} from '../db/dialect.js';
import type { Database, NewEvent } from '../db/schema.js';
import type { CanonicalEvent } from '../domain.js';
import { enqueueDeliveries } from '../notify/outbox.js';
import { enqueueDerivedRollups } from './derived-rollups.js';

export const HOUR_MS = 3600 * 1000;

export interface RejectionRecord {
  fingerprint: string;
  at: number;
  sourceSlug: string;
  sourceId: number | null;
  brandSlug: string | null;
  code: string;
  reason: string;
  field: string | null;
  method: string;
  rawQuery: string;
  rawBody: string | null;
  ip: string | null;
  userAgent: string | null;
}

export type WriteItem =
  | { kind: 'event'; event: CanonicalEvent }
  | { kind: 'rejection'; rejection: RejectionRecord };

export type WriteResult =
  | { kind: 'accepted'; eventId: number }
  | { kind: 'duplicate'; eventId: number }
  | { kind: 'rejection-logged' };

/** The events columns a new row fills, in the order insertRows sends them. */
const EVENT_COLUMNS: ReadonlyArray<{ name: keyof NewEvent & string; kind: 'int' | 'text' }> = [
  { name: 'id', kind: 'int' },
  { name: 'received_at', kind: 'int' },
  { name: 'occurred_at', kind: 'int' },
  { name: 'type', kind: 'text' },
  { name: 'raw_event', kind: 'text' },
  { name: 'brand_id', kind: 'int' },
  { name: 'source_id', kind: 'int' },
  { name: 'affiliate_id', kind: 'text' },
  { name: 'sub_id', kind: 'text' },
  { name: 'external_uid', kind: 'text' },
  { name: 'transaction_id', kind: 'text' },
  { name: 'tracking_tag', kind: 'text' },
  { name: 'traffic_source', kind: 'text' },
  { name: 'country', kind: 'text' },
  { name: 'amount_micros', kind: 'int' },
  { name: 'currency', kind: 'text' },
  { name: 'is_test', kind: 'int' },
  { name: 'sender', kind: 'text' },
  { name: 'sheet', kind: 'text' },
  { name: 'broken_fields', kind: 'text' },
  { name: 'broken_macro', kind: 'text' },
  { name: 'dedup_key', kind: 'text' },
  { name: 'raw_query', kind: 'text' },
  { name: 'raw_body', kind: 'text' },
  { name: 'ip', kind: 'text' },
];

/** One statement for a whole batch; a duplicate (same source and dedup key) is skipped, not an error. */
const EVENT_INSERT = {
  table: 'events',
  columns: EVENT_COLUMNS,
  conflict: { columns: ['source_id', 'dedup_key'], where: 'dedup_key is not null' },
  returning: 'id',
};

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export function toEventRow(id: number, brandId: number, e: CanonicalEvent): NewEvent {
  return {
    id,
    received_at: e.receivedAt.getTime(),
    occurred_at: e.occurredAt.getTime(),
    type: e.type,
    raw_event: e.rawEvent,
    brand_id: brandId,
    source_id: e.sourceId,
    affiliate_id: e.affiliateId,
    sub_id: e.subId,
    external_uid: e.externalUid,
    transaction_id: e.transactionId,
    tracking_tag: e.trackingTag,
    traffic_source: e.trafficSource,
    country: e.country,
    amount_micros: e.amountMicros === null ? null : Number(e.amountMicros),
    currency: e.currency,
    is_test: e.isTest ? 1 : 0,
    sender: e.sender,
    sheet: e.sheet,
    broken_fields: e.brokenFields.length > 0 ? e.brokenFields.join(',') : null,
    broken_macro: e.brokenMacro,
    dedup_key: e.dedupKey,
    raw_query: e.rawQuery,
    raw_body: e.rawBody,
    ip: e.ip,
  };
}

const key = (name: string, kind: 'int' | 'text' = 'int') => ({ name, kind, merge: 'key' as const });
const add = (name: string) => ({ name, kind: 'int' as const, merge: 'add' as const });

/** rollup_hourly as a counter table: the key, then the counters added on conflict. */
const HOURLY: CounterTable = {
  table: 'rollup_hourly',
  columns: [
    key('hour_start'),
    key('brand_id'),
    key('source_id'),
    key('affiliate_id', 'text'),
    key('is_test'),
    key('type', 'text'),
    key('currency', 'text'),
    add('event_count'),
    add('amount_micros'),
    add('broken_count'),
  ],
};

/** Sums inserted events into rollup_hourly rows, one per (hour, brand, source, affiliate, test, type, currency). */
export function rollupDeltas(rows: NewEvent[]): Array<Array<string | number>> {
  const byKey = new Map<string, Array<string | number>>();
  for (const row of rows) {
    const hour = Math.floor(row.occurred_at / HOUR_MS) * HOUR_MS;
    const affiliate = row.affiliate_id ?? '';
    const currency = row.currency ?? '';
    const k = `${hour}\u0001${row.brand_id}\u0001${row.source_id}\u0001${affiliate}\u0001${row.is_test}\u0001${row.type}\u0001${currency}`;
    const delta = byKey.get(k);
    const amount = row.amount_micros ?? 0;
    const broken = row.broken_fields ? 1 : 0;
    if (!delta) {
      byKey.set(k, [
        hour,
        row.brand_id,
        row.source_id,
        affiliate,
        row.is_test,
        row.type,
        currency,
        1,
        amount,
        broken,
      ]);
      continue;
    }
    delta[7] = (delta[7] as number) + 1;
    delta[8] = (delta[8] as number) + amount;
    delta[9] = (delta[9] as number) + broken;
  }
  return [...byKey.values()];
}

async function recordRejections(trx: Kysely<Database>, records: RejectionRecord[]): Promise<void> {
  // Collapse repeats inside the batch first: one statement must not touch a row twice.
  const byFingerprint = new Map<string, { record: RejectionRecord; attempts: number; last: number }>();
  for (const r of records) {
    const seen = byFingerprint.get(r.fingerprint);
    if (seen) {
      seen.attempts += 1;
      seen.last = Math.max(seen.last, r.at);
    } else byFingerprint.set(r.fingerprint, { record: r, attempts: 1, last: r.at });
  }
  const rows = [...byFingerprint.values()].map(({ record: r, attempts, last }) => ({
    fingerprint: r.fingerprint,
    first_seen_at: r.at,
    last_seen_at: last,
    attempts,
    source_slug: r.sourceSlug,
    source_id: r.sourceId,
    brand_slug: r.brandSlug,
    reason_code: r.code,
    reason: r.reason,
    field: r.field,
    method: r.method,
    raw_query: r.rawQuery,
    raw_body: r.rawBody,
    ip: r.ip,
    user_agent: r.userAgent,
  }));
  for (const part of chunks(rows, 200)) {
    await trx
      .insertInto('rejections')
      .values(part)
      .onConflict((oc) =>
        oc.column('fingerprint').doUpdateSet((eb) => ({
          attempts: eb('rejections.attempts', '+', eb.ref('excluded.attempts')),
          last_seen_at: eb.ref('excluded.last_seen_at'),
        })),
      )
      .execute();
  }
}

/** Writes one batch; returns one result per item, in order. Throws (and commits nothing) on failure. */
export async function storeBatch(db: Db, brands: BrandDirectory, items: WriteItem[]): Promise<WriteResult[]> {
  const results: Array<WriteResult | undefined> = new Array(items.length);
  const events: Array<{ index: number; event: CanonicalEvent }> = [];
  const rejections: RejectionRecord[] = [];
  items.forEach((item, index) => {
    if (item.kind === 'event') events.push({ index, event: item.event });
    else {
      rejections.push(item.rejection);
      results[index] = { kind: 'rejection-logged' };
    }
  });

  try {
    await db.kysely.transaction().execute(async (trx) => {
      await lockForWrite(trx, db.dialect);
      if (rejections.length > 0) await recordRejections(trx, rejections);
      if (events.length === 0) return;

      // Duplicates inside the batch: the first occurrence is written, the rest answer with its id.
      const firstByKey = new Map<string, number>();
      const fresh: Array<{ index: number; event: CanonicalEvent }> = [];
      const sameBatchDup: Array<{ index: number; firstIndex: number }> = [];
      for (const entry of events) {
        const key =
          entry.event.dedupKey === null ? null : `${entry.event.sourceId}\u0001${entry.event.dedupKey}`;
        const first = key === null ? undefined : firstByKey.get(key);
        if (key !== null && first !== undefined) sameBatchDup.push({ index: entry.index, firstIndex: first });
        else {
          if (key !== null) firstByKey.set(key, entry.index);
          fresh.push(entry);
        }
      }

      const brandIds = await brands.resolveForWrite(
        trx,
        fresh.map((f) => f.event.brand),
        Date.now(),
      );
      const ids = await allocateEventIds(trx, db.dialect, fresh.length);
      const rows = fresh.map((f, i) => {
        const brandId = brandIds.get(f.event.brand);
        if (brandId === undefined) throw new Error(`brand ${f.event.brand} could not be resolved`);
        return toEventRow(ids[i] as number, brandId, f.event);
      });

      const inserted = new Set<number>();
      const returned = await insertRows(
        trx,
        db,
        EVENT_INSERT,
        rows.map((r) => EVENT_COLUMNS.map((c) => r[c.name] ?? null)),
      );
      for (const r of returned) inserted.add(Number(r.id));

      // Rows not inserted collided with an earlier event: find its id.
      const collided = rows.filter((r) => !inserted.has(r.id));
      const existing = new Map<string, number>();
      if (collided.length > 0) {
        const bySource = new Map<number, string[]>();
        for (const r of collided) {
          const list = bySource.get(r.source_id) ?? [];
          list.push(r.dedup_key as string);
          bySource.set(r.source_id, list);
        }
        for (const [sourceId, keys] of bySource) {
          for (const part of chunks(keys, 500)) {
            const found = await trx
              .selectFrom('events')
              .select(['id', 'dedup_key'])
              .where('source_id', '=', sourceId)
              .where('dedup_key', 'in', part)
              .execute();
            for (const f of found) existing.set(`${sourceId}\u0001${f.dedup_key}`, Number(f.id));
          }
        }
      }

      fresh.forEach((f, i) => {
        const row = rows[i] as NewEvent;
        if (inserted.has(row.id)) results[f.index] = { kind: 'accepted', eventId: row.id };
        else {
          const id = existing.get(`${row.source_id}\u0001${row.dedup_key}`);
          if (id === undefined) throw new Error('a duplicate event could not be found');
          results[f.index] = { kind: 'duplicate', eventId: id };
        }
      });
      for (const d of sameBatchDup) {
        const first = results[d.firstIndex];
        if (!first || first.kind === 'rejection-logged') throw new Error('batch duplicate without its first');
        results[d.index] = { kind: 'duplicate', eventId: first.eventId };
      }

      const stored = rows.filter((r) => inserted.has(r.id));
      await upsertCounters(trx, db, HOURLY, rollupDeltas(stored));
      await enqueueDerivedRollups(
        trx,
        db,
        stored.map((r) => r.id),
      );
      await enqueueDeliveries(trx, db, stored, brands);
    });
  } catch (error) {
    brands.invalidate();
    throw error;
  }

  return results.map((r) => {
    if (!r) throw new Error('batch item left without a result');
    return r;
  });
}
