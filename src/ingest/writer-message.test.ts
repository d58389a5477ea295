import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, type CanonicalEvent, EVENT_TYPES } from '../domain.js';
import type { RejectionRecord, WriteItem, WriteResult } from './store-batch.js';
import { MAX_AMOUNT_MICROS } from './validate-event.js';
import {
  decodeWriteItems,
  decodeWriteResults,
  encodeWriteItems,
  encodeWriteResults,
} from './writer-message.js';

const text = fc.string({ unit: 'binary', maxLength: 30 });
const maybeText = fc.option(text, { nil: null });
const time = fc.integer({ min: 0, max: 4_102_444_800_000 });

const event: fc.Arbitrary<CanonicalEvent> = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  rawEvent: text,
  brand: text,
  sourceId: fc.integer({ min: 1, max: 1_000_000 }),
  affiliateId: maybeText,
  subId: maybeText,
  externalUid: maybeText,
  transactionId: maybeText,
  trackingTag: maybeText,
  trafficSource: maybeText,
  country: maybeText,
  amountMicros: fc.option(fc.bigInt({ min: 0n, max: MAX_AMOUNT_MICROS }), { nil: null }),
  currency: maybeText,
  isTest: fc.boolean(),
  sender: maybeText,
  sheet: maybeText,
  receivedAt: time.map((t) => new Date(t)),
  occurredAt: time.map((t) => new Date(t)),
  brokenFields: fc.uniqueArray(fc.constantFrom(...CANONICAL_FIELDS), { maxLength: 5 }),
  brokenMacro: maybeText,
  dedupKey: maybeText,
  rawQuery: text,
  rawBody: maybeText,
  ip: maybeText,
});

const rejection: fc.Arbitrary<RejectionRecord> = fc.record({
  fingerprint: text,
  at: time,
  sourceSlug: text,
  sourceId: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }),
  brandSlug: maybeText,
  code: text,
  reason: text,
  field: maybeText,
  method: fc.constantFrom('GET', 'POST'),
  rawQuery: text,
  rawBody: maybeText,
  ip: maybeText,
  userAgent: maybeText,
});

const item: fc.Arbitrary<WriteItem> = fc.oneof(
  event.map((e): WriteItem => ({ kind: 'event', event: e })),
  rejection.map((r): WriteItem => ({ kind: 'rejection', rejection: r })),
);

describe('writer messages', () => {
  it('give back exactly the items encoded, after the copy postMessage makes', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        expect(decodeWriteItems(structuredClone(encodeWriteItems(items)))).toEqual(items);
      }),
      { numRuns: 500 },
    );
  });

  it('give back exactly the results encoded', () => {
    const result: fc.Arbitrary<WriteResult> = fc.oneof(
      fc
        .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
        .map((eventId): WriteResult => ({ kind: 'accepted', eventId })),
      fc
        .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
        .map((eventId): WriteResult => ({ kind: 'duplicate', eventId })),
      fc.constant<WriteResult>({ kind: 'rejection-logged' }),
    );
    fc.assert(
      fc.property(fc.array(result, { maxLength: 8 }), (results) => {
        expect(decodeWriteResults(structuredClone(encodeWriteResults(results)))).toEqual(results);
      }),
    );
  });

  it('refuses what it cannot carry exactly instead of changing it', () => {
    const [sample] = fc.sample(event, { numRuns: 1, seed: 1 });
    if (!sample) throw new Error('no sample');
    const tooLarge: WriteItem = { kind: 'event', event: { ...sample, amountMicros: 2n ** 60n } };
    expect(() => encodeWriteItems([tooLarge])).toThrow(/too large/);
    expect(() => encodeWriteResults([{ kind: 'accepted', eventId: 0 }])).toThrow(/not positive/);
    expect(() => decodeWriteItems([0, 'CLICK'])).toThrow(/ended inside an item/);
    expect(() => decodeWriteItems([7])).toThrow(/unknown item tag/);
  });
});
