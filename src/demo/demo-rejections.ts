/**
 * The rejected postbacks a real install collects beside its events, for the demo: a network that
 * still calls with a rotated key, a typo in a source slug, an event word nobody mapped, amounts
 * and currencies a template filled badly, a postback for a blocked-looking brand left empty.
 * Each is a stored rejection record as the ingest path would write it (key shown as `***`).
 */
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../domain.js';
import type { RejectionRecord } from '../ingest/store-batch.js';
import type { Random } from './random.js';

interface Kind {
  code: RejectionRecord['code'];
  reason: string;
  field: string | null;
  /** The query string the network sent (the key already blanked). */
  query: (e: CanonicalEvent, word: string) => string;
  /** A slug other than the source's own (a typo in the network's URL). */
  slug?: (slug: string) => string;
}

const base = (e: CanonicalEvent, word: string) =>
  `key=***&event=${word}&brand=${e.brand}&affiliate_id=${e.affiliateId ?? ''}&tx=${e.transactionId ?? ''}`;

const KINDS: readonly Kind[] = [
  { code: 'bad_key', reason: 'the key does not match this source', field: 'key', query: base },
  {
    code: 'unknown_source',
    reason: 'no source with this slug',
    field: null,
    query: base,
    slug: (slug) => `${slug.slice(0, -1)}`,
  },
  {
    code: 'unknown_event',
    reason: 'the event word is not mapped for this source',
    field: 'event',
    query: (e) => base(e, 'deposit_approved'),
  },
  {
    code: 'invalid_amount',
    reason: 'amount must be a decimal number like 12.50',
    field: 'amount',
    query: (e, word) => `${base(e, word)}&amount=12,50&currency=${e.currency ?? 'EUR'}`,
  },
  {
    code: 'invalid_currency',
    reason: 'currency must be an ISO 4217 code such as EUR',
    field: 'currency',
    query: (e, word) => `${base(e, word)}&amount=25.00&currency=euro`,
  },
  {
    code: 'missing_brand',
    reason: 'the brand is missing',
    field: 'brand',
    query: (e, word) => `key=***&event=${word}&affiliate_id=${e.affiliateId ?? ''}`,
  },
];

/** A rejected postback sent by the same network shortly after `event` (never after `latest`). */
export function demoRejection(
  rng: Random,
  event: CanonicalEvent,
  sourceSlug: string,
  latest: number,
): RejectionRecord {
  const kind = rng.pick(KINDS);
  const word = event.type.toLowerCase();
  const slug = kind.slug ? kind.slug(sourceSlug) : sourceSlug;
  const rawQuery = kind.query(event, word);
  const at = Math.min(latest, event.occurredAt.getTime() + rng.int(0, 600_000));
  return {
    fingerprint: createHash('sha256').update(`demo\n${slug}\nGET\n${rawQuery}\n${at}`).digest('hex'),
    at,
    sourceSlug: slug,
    sourceId: kind.slug ? null : event.sourceId,
    brandSlug: kind.code === 'missing_brand' ? null : event.brand,
    code: kind.code,
    reason: kind.reason,
    field: kind.field,
    method: 'GET',
    rawQuery,
    rawBody: null,
    ip: `203.0.113.${rng.int(1, 254)}`,
    userAgent: 'demo-network/1.0',
  };
}
