/**
 * The last step: one transaction per batch. Creates brands seen for the first time, inserts the
 * events (duplicates fall on the unique dedup index and are answered with the first event's id),
 * adds the batch's counts to the hourly rollups and records rejections, all or nothing.
 * Multi-row statements keep the cost per event low; nothing here runs per request.
 */
import type { Kysely } from 'kysely';
import type { BrandDirectory } from '../brands/brand-directory.js';
import type { Db } from '../db/connect.js';
import { allocateEventIds, lockForWrite } from '../db/dialect.js';
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

/** Rows per INSERT: keeps bound parameters under SQLite's and PostgreSQL's limits. */
const EVENT_CHUNK = 400;

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

interface RollupDelta {
  hour_start: number;
  brand_id: number;
  source_id: number;
  affiliate_id: string;
  is_test: number;
  type: string;
  currency: string;
  event_count: number;
  amount_micros: number;
  broken_count: number;
}

/** Sums inserted events into rollup deltas, one per (hour, brand, source, affiliate, test, type, currency). */
export function rollupDeltas(rows: NewEvent[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const row of rows) {
    const hour = Math.floor(row.occurred_at / HOUR_MS) * HOUR_MS;
    const affiliate = row.affiliate_id ?? '';
    const currency = row.currency ?? '';
    const key = `${hour}\u0001${row.brand_id}\u0001${row.source_id}\u0001${affiliate}\u0001${row.is_test}\u0001${row.type}\u0001${currency}`;
    let delta = byKey.get(key);
    if (!delta) {
      delta = {
        hour_start: hour,
        brand_id: row.brand_id,
        source_id: row.source_id,
        affiliate_id: affiliate,
        is_test: row.is_test,
        type: row.type,
        currency,
        event_count: 0,
        amount_micros: 0,
        broken_count: 0,
      };
      byKey.set(key, delta);
    }
    delta.event_count += 1;
    delta.amount_micros += row.amount_micros ?? 0;
    if (row.broken_fields) delta.broken_count += 1;
  }
  return [...byKey.values()];
}

async function upsertRollups(trx: Kysely<Database>, deltas: RollupDelta[]): Promise<void> {
  for (const part of chunks(deltas, 500)) {
    await trx
      .insertInto('rollup_hourly')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['hour_start', 'brand_id', 'source_id', 'affiliate_id', 'is_test', 'type', 'currency'])
          .doUpdateSet((eb) => ({
            event_count: eb('rollup_hourly.event_count', '+', eb.ref('excluded.event_count')),
            amount_micros: eb('rollup_hourly.amount_micros', '+', eb.ref('excluded.amount_micros')),
            broken_count: eb('rollup_hourly.broken_count', '+', eb.ref('excluded.broken_count')),
          })),
      )
      .execute();
  }
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
      for (const part of chunks(rows, EVENT_CHUNK)) {
        const returned = await trx
          .insertInto('events')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['source_id', 'dedup_key']).where('dedup_key', 'is not', null).doNothing(),
          )
          .returning('id')
          .execute();
        for (const r of returned) inserted.add(Number(r.id));
      }

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
      await upsertRollups(trx, rollupDeltas(stored));
      await enqueueDerivedRollups(
        trx,
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
