/**
 * Step 3: mapped fields -> a canonical event, applying the rules of acceptance: a known event type,
 * a brand that is not blocked, a well-formed amount with its currency, a real country code, a
 * plausible time no more than 24 h ahead. Unsubstituted macros are flagged here (broken tags), and
 * a macro-holding id is kept out of duplicate detection so that every `{transactionid}` is not one event.
 */
import type { BrandDirectory } from '../brands/brand-directory.js';
import { normaliseBrandSlug } from '../brands/brand-directory.js';
import {
  type CanonicalEvent,
  type CanonicalField,
  type EventType,
  isEventType,
  ONCE_PER_PLAYER_TYPES,
} from '../domain.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import { detectMacro } from './detect-macros.js';
import type { MappedFields } from './map-params.js';
import { parseAmount } from './normalise/amount.js';
import { parseCountry } from './normalise/country.js';
import { parseCurrency } from './normalise/currency.js';
import { parseTimestamp } from './normalise/timestamp.js';
import type { RawPostback } from './raw-postback.js';
import { accept, reject, type StepResult } from './step.js';

export const MAX_FUTURE_MS = 24 * 3600 * 1000;
/** Amounts are stored as integer micro-units; this cap keeps every sum exact in 64-bit and in JS numbers. */
export const MAX_AMOUNT_MICROS = 1_000_000_000n * 1_000_000n;

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'on', 'test']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'n', 'off', 'live', 'prod', 'production']);

/** Optional text fields: empty means absent. */
const TEXT_FIELDS = [
  'affiliate_id',
  'sub_id',
  'external_uid',
  'transaction_id',
  'tracking_tag',
  'traffic_source',
  'sender',
  'sheet',
] as const satisfies readonly CanonicalField[];

export interface ValidateContext {
  raw: RawPostback;
  source: Pick<CompiledSource, 'id' | 'events' | 'declinedStatuses' | 'defaultCurrency'>;
  brands: Pick<BrandDirectory, 'peek'>;
}

export function resolveEventType(word: string, events: ReadonlyMap<string, EventType>): EventType | null {
  const key = word.trim().toLowerCase();
  const mapped = events.get(key);
  if (mapped) return mapped;
  const upper = key.toUpperCase();
  return isEventType(upper) ? upper : null;
}

export function dedupKeyFor(
  type: EventType,
  transactionId: string | null,
  externalUid: string | null,
): string | null {
  if (transactionId !== null) return `${type}|t|${transactionId}`;
  if (externalUid !== null && ONCE_PER_PLAYER_TYPES.includes(type)) return `${type}|u|${externalUid}`;
  return null;
}

export function validateEvent(fields: MappedFields, ctx: ValidateContext): StepResult<CanonicalEvent> {
  const { raw, source } = ctx;
  const broken: string[] = [];
  let brokenMacro: string | null = null;
  /** Returns the macro a value holds (recording it), or null. */
  const macroIn = (field: CanonicalField, value: string): string | null => {
    const macro = detectMacro(value);
    if (macro !== null) {
      broken.push(field);
      brokenMacro ??= macro;
    }
    return macro;
  };

  // Templates copied from trackers often carry the event word in `status` (status=reg).
  const statusAsEvent =
    fields.event === undefined &&
    fields.status !== undefined &&
    resolveEventType(fields.status, source.events) !== null;
  const eventWord = (statusAsEvent ? fields.status : fields.event) ?? '';
  if (eventWord === '') return reject('missing_event', 'missing event type', 'event');
  const type = resolveEventType(eventWord, source.events);
  if (type === null) return reject('unknown_event', `unknown event type "${eventWord}"`, 'event');

  const status = statusAsEvent ? undefined : fields.status?.toLowerCase();
  if (status && source.declinedStatuses.has(status)) {
    return reject('declined_status', `conversion declined (status ${fields.status})`, 'status');
  }

  const brandRaw = fields.brand ?? '';
  if (brandRaw === '') return reject('missing_brand', 'missing brand', 'brand');
  const brandMacro = detectMacro(brandRaw);
  if (brandMacro !== null)
    return reject('missing_brand', `brand holds an unsubstituted macro ${brandMacro}`, 'brand');
  const brand = normaliseBrandSlug(brandRaw);
  if (ctx.brands.peek(brand)?.blocked) return reject('brand_blocked', `brand "${brand}" is blocked`, 'brand');

  const text: Record<(typeof TEXT_FIELDS)[number], string | null> = {
    affiliate_id: null,
    sub_id: null,
    external_uid: null,
    transaction_id: null,
    tracking_tag: null,
    traffic_source: null,
    sender: null,
    sheet: null,
  };
  for (const field of TEXT_FIELDS) {
    const value = fields[field] ?? '';
    if (value !== '') {
      text[field] = value;
      macroIn(field, value);
    }
  }
  text.sender ??= raw.defaultSender ?? null;
  text.sheet ??= raw.defaultSheet ?? null;

  let amountMicros: bigint | null = null;
  const amountRaw = fields.amount ?? '';
  if (amountRaw !== '' && macroIn('amount', amountRaw) === null) {
    const parsed = parseAmount(amountRaw);
    if (!parsed.ok) return reject('invalid_amount', parsed.reason, 'amount');
    if (parsed.value > MAX_AMOUNT_MICROS)
      return reject('invalid_amount', 'amount above 1,000,000,000', 'amount');
    amountMicros = parsed.value;
  }

  let currency: string | null = null;
  const currencyRaw = fields.currency ?? '';
  if (currencyRaw !== '' && macroIn('currency', currencyRaw) === null) {
    const parsed = parseCurrency(currencyRaw);
    if (!parsed.ok) return reject('invalid_currency', parsed.reason, 'currency');
    currency = parsed.value;
  }
  if (amountMicros !== null && currency === null) {
    currency = source.defaultCurrency;
    if (currency === null) return reject('missing_currency', 'currency required with an amount', 'currency');
  }

  let country: string | null = null;
  const countryRaw = fields.country ?? '';
  if (countryRaw !== '' && macroIn('country', countryRaw) === null) {
    const parsed = parseCountry(countryRaw);
    if (!parsed.ok) return reject('invalid_country', parsed.reason, 'country');
    country = parsed.value;
  }

  let occurredAt = raw.receivedAt;
  const timeRaw = fields.occurred_at ?? '';
  if (timeRaw !== '' && macroIn('occurred_at', timeRaw) === null) {
    const parsed = parseTimestamp(timeRaw, raw.receivedAt);
    // An unparsable or implausible time falls back to the server clock (product rule), a future one is refused.
    if (parsed.ok) {
      if (parsed.value.getTime() - raw.receivedAt.getTime() > MAX_FUTURE_MS) {
        return reject('future_timestamp', 'event time more than 24 h in the future', 'occurred_at');
      }
      occurredAt = parsed.value;
    }
  }

  let isTest = false;
  const testRaw = (fields.is_test ?? '').toLowerCase();
  if (macroIn('is_test', fields.is_test ?? '') === null) {
    if (TRUE_WORDS.has(testRaw)) isTest = true;
    else if (!FALSE_WORDS.has(testRaw))
      return reject('invalid_test_flag', 'test flag must be 1/0 or true/false', 'is_test');
  }

  const usable = (field: 'transaction_id' | 'external_uid'): string | null =>
    broken.includes(field) ? null : text[field];

  return accept({
    type,
    rawEvent: eventWord,
    brand,
    sourceId: source.id,
    affiliateId: text.affiliate_id,
    subId: text.sub_id,
    externalUid: text.external_uid,
    transactionId: text.transaction_id,
    trackingTag: text.tracking_tag,
    trafficSource: text.traffic_source,
    country,
    amountMicros,
    currency,
    isTest,
    sender: text.sender,
    sheet: text.sheet,
    receivedAt: raw.receivedAt,
    occurredAt,
    brokenFields: broken,
    brokenMacro,
    dedupKey: dedupKeyFor(type, usable('transaction_id'), usable('external_uid')),
    rawQuery: raw.rawQuery,
    rawBody: raw.rawBody,
    ip: raw.ip,
  });
}
