/**
 * What a write batch and its answers look like while they cross to the SQLite writer thread and
 * back. postMessage copies its payload with the structured-clone algorithm on the sending thread,
 * property by property; for objects (an event has 24 fields, two Dates and a bigint) that copy
 * cost the HTTP thread more than most ingest steps. A flat array of strings, numbers and booleans
 * copies several times faster, so each item is written as a tag and its fields in a fixed order,
 * and each answer as one number. Decoding gives back exactly the items and results encoded.
 * Nothing here decides anything: it must stay a lossless change of shape.
 */
import { type CanonicalEvent, type EventType, isEventType } from '../domain.js';
import type { RejectionRecord, WriteItem, WriteResult } from './store-batch.js';

export type WireValue = string | number | boolean | null;
/** A batch of write items, flattened: `EVENT` + 24 fields, or `REJECTION` + 13 fields, per item. */
export type WireBatch = WireValue[];
/** One number per result: the event id when accepted, minus it for a duplicate, 0 for a logged rejection. */
export type WireResults = number[];

const EVENT = 0;
const REJECTION = 1;

/** Amounts are at most 10^15 micro-units (MAX_AMOUNT_MICROS): exact as a number. */
function amountNumber(micros: bigint | null): number | null {
  if (micros === null) return null;
  const n = Number(micros);
  if (!Number.isSafeInteger(n)) throw new Error(`amount ${micros} is too large to send to the writer`);
  return n;
}

export function encodeWriteItems(items: readonly WriteItem[]): WireBatch {
  const out: WireBatch = [];
  for (const item of items) {
    if (item.kind === 'event') {
      const e = item.event;
      out.push(
        EVENT,
        e.type,
        e.rawEvent,
        e.brand,
        e.sourceId,
        e.affiliateId,
        e.subId,
        e.externalUid,
        e.transactionId,
        e.trackingTag,
        e.trafficSource,
        e.country,
        amountNumber(e.amountMicros),
        e.currency,
        e.isTest,
        e.sender,
        e.sheet,
        e.receivedAt.getTime(),
        e.occurredAt.getTime(),
        // Field names hold no comma.
        e.brokenFields.join(','),
        e.brokenMacro,
        e.dedupKey,
        e.rawQuery,
        e.rawBody,
        e.ip,
      );
    } else {
      const r = item.rejection;
      out.push(
        REJECTION,
        r.fingerprint,
        r.at,
        r.sourceSlug,
        r.sourceId,
        r.brandSlug,
        r.code,
        r.reason,
        r.field,
        r.method,
        r.rawQuery,
        r.rawBody,
        r.ip,
        r.userAgent,
      );
    }
  }
  return out;
}

/** Reads a WireBatch back, checking every value's type (a mismatch is a bug, never input). */
class WireReader {
  private at = 0;

  constructor(private readonly wire: WireBatch) {}

  get done(): boolean {
    return this.at >= this.wire.length;
  }

  private next(): WireValue {
    if (this.at >= this.wire.length) throw new Error('write batch ended inside an item');
    return this.wire[this.at++] ?? null;
  }

  string(): string {
    const value = this.next();
    if (typeof value !== 'string') throw new Error(`write batch: expected a string at ${this.at - 1}`);
    return value;
  }

  stringOrNull(): string | null {
    const value = this.next();
    if (value !== null && typeof value !== 'string')
      throw new Error(`write batch: expected a string or null at ${this.at - 1}`);
    return value;
  }

  number(): number {
    const value = this.next();
    if (typeof value !== 'number') throw new Error(`write batch: expected a number at ${this.at - 1}`);
    return value;
  }

  numberOrNull(): number | null {
    const value = this.next();
    if (value !== null && typeof value !== 'number')
      throw new Error(`write batch: expected a number or null at ${this.at - 1}`);
    return value;
  }

  boolean(): boolean {
    const value = this.next();
    if (typeof value !== 'boolean') throw new Error(`write batch: expected a boolean at ${this.at - 1}`);
    return value;
  }

  bigintOrNull(): bigint | null {
    const value = this.numberOrNull();
    return value === null ? null : BigInt(value);
  }

  /** A comma-joined list; '' is the empty list. */
  list(): string[] {
    const value = this.string();
    return value === '' ? [] : value.split(',');
  }

  eventType(): EventType {
    const value = this.string();
    if (!isEventType(value)) throw new Error(`write batch: unknown event type ${value}`);
    return value;
  }
}

// Fields are read in the order encodeWriteItems wrote them (object literals evaluate in order).
function readEvent(r: WireReader): CanonicalEvent {
  return {
    type: r.eventType(),
    rawEvent: r.string(),
    brand: r.string(),
    sourceId: r.number(),
    affiliateId: r.stringOrNull(),
    subId: r.stringOrNull(),
    externalUid: r.stringOrNull(),
    transactionId: r.stringOrNull(),
    trackingTag: r.stringOrNull(),
    trafficSource: r.stringOrNull(),
    country: r.stringOrNull(),
    amountMicros: r.bigintOrNull(),
    currency: r.stringOrNull(),
    isTest: r.boolean(),
    sender: r.stringOrNull(),
    sheet: r.stringOrNull(),
    receivedAt: new Date(r.number()),
    occurredAt: new Date(r.number()),
    brokenFields: r.list(),
    brokenMacro: r.stringOrNull(),
    dedupKey: r.stringOrNull(),
    rawQuery: r.string(),
    rawBody: r.stringOrNull(),
    ip: r.stringOrNull(),
  };
}

function readRejection(r: WireReader): RejectionRecord {
  return {
    fingerprint: r.string(),
    at: r.number(),
    sourceSlug: r.string(),
    sourceId: r.numberOrNull(),
    brandSlug: r.stringOrNull(),
    code: r.string(),
    reason: r.string(),
    field: r.stringOrNull(),
    method: r.string(),
    rawQuery: r.string(),
    rawBody: r.stringOrNull(),
    ip: r.stringOrNull(),
    userAgent: r.stringOrNull(),
  };
}

export function decodeWriteItems(wire: WireBatch): WriteItem[] {
  const items: WriteItem[] = [];
  const r = new WireReader(wire);
  while (!r.done) {
    const tag = r.number();
    if (tag === EVENT) items.push({ kind: 'event', event: readEvent(r) });
    else if (tag === REJECTION) items.push({ kind: 'rejection', rejection: readRejection(r) });
    else throw new Error(`write batch: unknown item tag ${tag}`);
  }
  return items;
}

export function encodeWriteResults(results: readonly WriteResult[]): WireResults {
  return results.map((result) => {
    if (result.kind === 'rejection-logged') return 0;
    if (!(result.eventId > 0)) throw new Error(`write result: event id ${result.eventId} is not positive`);
    return result.kind === 'accepted' ? result.eventId : -result.eventId;
  });
}

export function decodeWriteResults(wire: WireResults): WriteResult[] {
  return wire.map((n): WriteResult => {
    if (n > 0) return { kind: 'accepted', eventId: n };
    if (n < 0) return { kind: 'duplicate', eventId: -n };
    return { kind: 'rejection-logged' };
  });
}
