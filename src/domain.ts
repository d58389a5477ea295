/**
 * The vocabulary every room shares: event types, canonical event fields and their limits.
 * Pure data and types only; nothing here touches I/O.
 */

export const EVENT_TYPES = ['CLICK', 'REG', 'FTD', 'DEP', 'REDEP', 'CPA'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** Types whose player id alone identifies a duplicate when the network sends no transaction id. */
export const ONCE_PER_PLAYER_TYPES: readonly EventType[] = ['REG', 'FTD', 'CPA'];

/** Canonical text fields a network parameter can be mapped onto. */
export const CANONICAL_FIELDS = [
  'event',
  'brand',
  'affiliate_id',
  'sub_id',
  'external_uid',
  'transaction_id',
  'tracking_tag',
  'traffic_source',
  'country',
  'amount',
  'currency',
  'occurred_at',
  'is_test',
  'status',
  'sender',
  'sheet',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Longest value accepted per field, in characters. Longer values are rejected, never truncated. */
export const FIELD_MAX_LENGTH: Record<CanonicalField, number> = {
  event: 64,
  brand: 64,
  affiliate_id: 128,
  sub_id: 255,
  external_uid: 128,
  transaction_id: 128,
  tracking_tag: 255,
  traffic_source: 128,
  country: 16,
  amount: 32,
  currency: 8,
  occurred_at: 64,
  is_test: 8,
  status: 32,
  sender: 128,
  sheet: 128,
};

/** Fields checked for unsubstituted macros (broken tags). */
export const MACRO_CHECKED_FIELDS = [
  'tracking_tag',
  'sub_id',
  'affiliate_id',
  'external_uid',
  'transaction_id',
  'traffic_source',
] as const satisfies readonly CanonicalField[];
export type MacroCheckedField = (typeof MACRO_CHECKED_FIELDS)[number];

/** A postback after mapping and validation: what the store writes. */
export interface CanonicalEvent {
  type: EventType;
  rawEvent: string;
  brand: string;
  sourceId: number;
  affiliateId: string | null;
  subId: string | null;
  externalUid: string | null;
  transactionId: string | null;
  trackingTag: string | null;
  trafficSource: string | null;
  country: string | null;
  /** Exact amount in millionths of the currency unit (BigInt-safe integer as a JS bigint). */
  amountMicros: bigint | null;
  currency: string | null;
  isTest: boolean;
  sender: string | null;
  sheet: string | null;
  receivedAt: Date;
  occurredAt: Date;
  /** Fields that still hold an unsubstituted macro, and the first macro seen. */
  brokenFields: string[];
  brokenMacro: string | null;
  /** The key duplicates are recognised by within the source, or null when none applies. */
  dedupKey: string | null;
  /** The request as received: method, query string and body text, kept verbatim. */
  rawQuery: string;
  rawBody: string | null;
  ip: string | null;
}
