/**
 * Step 1: which source sent this, and may it? Given the source the slug names, checks the key
 * (or the HMAC signature) in constant time and the IP allow-list. A key rotated out keeps working
 * for its grace period so a network can be updated without losing postbacks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type CompiledSource, isIpAllowed } from '../sources/compiled-source.js';
import type { Params } from './parse-params.js';
import type { RawPostback } from './raw-postback.js';
import { accept, reject, type StepResult } from './step.js';

/** Parameter names that carry the source key; they are redacted from stored raw queries. */
export const KEY_PARAMS = ['key', 'api_key', 'secret'] as const;
export const KEY_HEADERS = ['x-postback-key', 'x-api-key'] as const;
export const SIGNATURE_HEADER = 'x-affpanel-signature';
export const TIMESTAMP_HEADER = 'x-affpanel-timestamp';
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare equal-length buffers so timing does not reveal the expected length either.
  const same = timingSafeEqual(a.length === b.length ? a : b, b);
  return same && a.length === b.length;
}

function givenKey(raw: RawPostback, params: Params): string | null {
  for (const name of KEY_PARAMS) {
    const value = params.get(name)?.[0];
    if (value !== undefined && value !== '') return value;
  }
  for (const name of KEY_HEADERS) {
    const value = raw.headers[name];
    if (value) return value;
  }
  return null;
}

/** The current key, then the rotated-out keys still in their grace period at `now`. */
function validKeys(source: CompiledSource, now: number): string[] {
  return [source.secretKey, ...source.graceKeys.filter((g) => now < g.expiresAt).map((g) => g.key)];
}

function keyMatches(source: CompiledSource, key: string, now: number): boolean {
  // Every candidate is compared (no early exit), so timing says nothing about which one matched.
  let matched = false;
  for (const candidate of validKeys(source, now)) if (safeEqual(key, candidate)) matched = true;
  return matched;
}

/** The string a signing network signs: timestamp, method, path with query, body. */
export function signingPayload(timestamp: string, method: string, url: string, body: string | null): string {
  return `${timestamp}\n${method.toUpperCase()}\n${url}\n${body ?? ''}`;
}

export function signPayload(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function checkSignature(source: CompiledSource, raw: RawPostback): StepResult<true> {
  const timestamp = raw.headers[TIMESTAMP_HEADER];
  const signature = raw.headers[SIGNATURE_HEADER]?.replace(/^sha256=/i, '').toLowerCase();
  if (!timestamp || !signature) {
    return reject('bad_signature', `signature required: send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}`);
  }
  const seconds = Number(timestamp);
  if (
    !/^\d{9,11}$/.test(timestamp) ||
    Math.abs(raw.receivedAt.getTime() - seconds * 1000) > SIGNATURE_WINDOW_MS
  ) {
    return reject('bad_signature', 'signature timestamp outside the 5 minute window');
  }
  const payload = signingPayload(timestamp, raw.method, raw.url, raw.rawBody);
  const valid = validKeys(source, raw.receivedAt.getTime()).some((k) =>
    safeEqual(signature, signPayload(k, payload)),
  );
  return valid ? accept(true) : reject('bad_signature', 'signature does not match');
}

/** `source` is what the source directory holds for the slug the postback names (undefined: none). */
export function authenticateSource(
  raw: RawPostback,
  params: Params,
  source: CompiledSource | undefined,
): StepResult<CompiledSource> {
  if (!source) return reject('unknown_source', `unknown source "${raw.sourceSlug.slice(0, 64)}"`);
  if (source.authMode === 'hmac') {
    const signed = checkSignature(source, raw);
    if (!signed.ok) return signed;
  } else {
    const key = givenKey(raw, params);
    if (key === null) return reject('bad_key', 'missing key', 'key');
    if (!keyMatches(source, key, raw.receivedAt.getTime())) return reject('bad_key', 'wrong key', 'key');
  }
  // Checked after the key, so only a caller who holds the key learns the source is switched off.
  if (!source.isActive) return reject('source_inactive', `source "${source.slug}" is inactive`);
  if (!isIpAllowed(source, raw.ip))
    return reject('ip_not_allowed', `address ${raw.ip ?? 'unknown'} not allowed`);
  return accept(source);
}
