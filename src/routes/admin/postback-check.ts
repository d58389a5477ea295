/**
 * `POST /api/admin/postback-check` — the postback tester. An admin pastes a postback URL (full, or
 * `/postback/<slug>?…`, optionally with a POST body) and learns what the endpoint would do with it:
 * each ingest step (parse, authenticate, map, validate, macros, dedup) and the verdict, accepted as
 * which event or rejected with which reason. It runs `Ingestor.check` (every step but the write)
 * plus a read of the duplicate index. It must never store anything: no event, no rejection, no
 * brand, and no audit entry either (a check changes nothing).
 */
import type { FastifyInstance } from 'fastify';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { CanonicalEvent, CanonicalField } from '../../domain.js';
import { AppError } from '../../errors.js';
import {
  KEY_HEADERS,
  KEY_PARAMS,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../../ingest/authenticate-source.js';
import { type Check, collectParams } from '../../ingest/ingestor.js';
import { mapParams } from '../../ingest/map-params.js';
import { formatMicros } from '../../ingest/normalise/amount.js';
import type { Params } from '../../ingest/parse-params.js';
import type { RawPostback } from '../../ingest/raw-postback.js';
import { REDACTED, redactBody, redactParams } from '../../ingest/redact-secrets.js';
import type { Rejection, RejectionCode } from '../../ingest/step.js';
import { storedDuplicate } from '../../ingest/stored-duplicate.js';
import type { CompiledSource } from '../../sources/compiled-source.js';

export const MAX_CHECK_URL = 16_384;
export const MAX_CHECK_BODY = 65_536;
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;
const header = z.string().max(1024, 'must be at most 1024 characters').optional();

const checkRequest = z.strictObject({
  url: z
    .string({ error: 'paste a postback URL' })
    .trim()
    .min(1, 'paste a postback URL')
    .max(MAX_CHECK_URL, `must be at most ${MAX_CHECK_URL} characters`),
  method: z.enum(['GET', 'POST'], { error: 'must be GET or POST' }).optional(),
  body: z.string().max(MAX_CHECK_BODY, `must be at most ${MAX_CHECK_BODY} characters`).optional(),
  contentType: z.enum(CONTENT_TYPES, { error: `must be one of ${CONTENT_TYPES.join(', ')}` }).optional(),
  ip: z
    .string()
    .trim()
    .refine((v) => v === '' || ipaddr.isValid(v), 'must be an IPv4 or IPv6 address')
    .optional(),
  headers: z
    .strictObject({
      [KEY_HEADERS[0]]: header,
      [KEY_HEADERS[1]]: header,
      [SIGNATURE_HEADER]: header,
      [TIMESTAMP_HEADER]: header,
    })
    .optional(),
});
export type PostbackCheckRequest = z.input<typeof checkRequest>;

export type CheckStepName = 'parse' | 'authenticate' | 'map' | 'validate' | 'macros' | 'dedup';
export interface CheckStep {
  name: CheckStepName;
  status: 'passed' | 'failed' | 'warning' | 'skipped';
  detail: string;
}

/** The event a postback would become, as the event API shows one (amount as an exact decimal). */
export interface CheckedEvent {
  type: string;
  rawEvent: string;
  brand: string;
  source: string;
  sourceName: string;
  affiliateId: string | null;
  subId: string | null;
  externalUid: string | null;
  transactionId: string | null;
  trackingTag: string | null;
  trafficSource: string | null;
  country: string | null;
  amount: string | null;
  currency: string | null;
  isTest: boolean;
  sender: string | null;
  sheet: string | null;
  occurredAt: string;
  receivedAt: string;
  brokenFields: string[];
  brokenMacro: string | null;
  dedupKey: string | null;
}

export interface PostbackCheckResult {
  verdict: 'accepted' | 'duplicate' | 'rejected';
  /** The status the postback endpoint would answer the network with. */
  httpStatus: number;
  request: {
    method: 'GET' | 'POST';
    source: string;
    /** Query and body as they would be stored: key values redacted. */
    query: string;
    body: string | null;
    contentType: string | null;
    ip: string | null;
    notes: string[];
  };
  /** Every parameter after parsing (key values redacted), or null when parsing failed. */
  params: { name: string; values: string[] }[] | null;
  /** Canonical field -> value after the source's mapping, or null when it was not reached. */
  mapped: Partial<Record<CanonicalField, string>> | null;
  steps: CheckStep[];
  event: CheckedEvent | null;
  duplicateOf: number | null;
  rejection: Rejection | null;
}

/** Which step refuses a postback with each code (a Record, so a new code cannot be forgotten). */
const STEP_OF: Record<RejectionCode, CheckStepName> = {
  invalid_encoding: 'parse',
  invalid_body: 'parse',
  unknown_source: 'authenticate',
  source_inactive: 'authenticate',
  bad_key: 'authenticate',
  bad_signature: 'authenticate',
  ip_not_allowed: 'authenticate',
  repeated_parameter: 'map',
  field_too_long: 'map',
  missing_event: 'validate',
  unknown_event: 'validate',
  declined_status: 'validate',
  missing_brand: 'validate',
  brand_blocked: 'validate',
  invalid_amount: 'validate',
  missing_currency: 'validate',
  invalid_currency: 'validate',
  invalid_country: 'validate',
  invalid_test_flag: 'validate',
  future_timestamp: 'validate',
};
const STEP_ORDER: readonly CheckStepName[] = ['parse', 'authenticate', 'map', 'validate', 'macros', 'dedup'];

function badRequest(message: string, field: string): never {
  throw new AppError('bad_request', message, { field });
}

interface Target {
  sourceSlug: string;
  rawQuery: string;
  /** Path plus query as the network would request it (what a signature covers). */
  url: string;
  notes: string[];
}

/** Full URL or `/postback/<slug>?…` -> slug and verbatim query; the fragment is never sent by a client. */
export function parseTarget(text: string): Target {
  const notes: string[] = [];
  let rest = text;
  const absolute = /^https?:\/\/[^/?#\s]+/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  else if (!rest.startsWith('/'))
    badRequest('must be a full http(s) URL or a path starting with /postback/', 'url');
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    notes.push(`"${rest.slice(hash, hash + 40)}" is a URL fragment: an HTTP client does not send it`);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  const rawQuery = q === -1 ? '' : rest.slice(q + 1);
  const match = /^\/postback\/([^/]+)$/.exec(path);
  if (!match?.[1]) badRequest('the path must be /postback/<source>', 'url');
  let sourceSlug: string;
  try {
    sourceSlug = decodeURIComponent(match[1]);
  } catch {
    badRequest('the source in the path has invalid percent-encoding', 'url');
  }
  return { sourceSlug, rawQuery, url: rawQuery === '' ? path : `${path}?${rawQuery}`, notes };
}

function parseRequest(body: unknown) {
  const parsed = checkRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue?.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : issue?.path.join('.');
    const message =
      issue?.code === 'unrecognized_keys' ? 'is not a field of a postback check' : issue?.message;
    throw new AppError('bad_request', message ?? 'invalid request', { field: field || 'url' });
  }
  const r = parsed.data;
  const method = r.method ?? (r.body ? 'POST' : 'GET');
  if (method === 'GET' && r.body)
    badRequest('a GET postback has no body: choose POST or leave it empty', 'body');
  return { ...r, method, ip: r.ip ? r.ip : null } as const;
}

function guessContentType(body: string): (typeof CONTENT_TYPES)[number] {
  return /^\s*[{[]/.test(body) ? 'application/json' : 'application/x-www-form-urlencoded';
}

function shownParams(params: Params): { name: string; values: string[] }[] {
  const secret: ReadonlySet<string> = new Set(KEY_PARAMS);
  return [...params].map(([name, values]) => ({
    name,
    values: secret.has(name) ? values.map(() => REDACTED) : values,
  }));
}

function eventOut(e: CanonicalEvent, source: CompiledSource | undefined): CheckedEvent {
  return {
    type: e.type,
    rawEvent: e.rawEvent,
    brand: e.brand,
    source: source?.slug ?? '',
    sourceName: source?.name ?? '',
    affiliateId: e.affiliateId,
    subId: e.subId,
    externalUid: e.externalUid,
    transactionId: e.transactionId,
    trackingTag: e.trackingTag,
    trafficSource: e.trafficSource,
    country: e.country,
    amount: e.amountMicros === null ? null : formatMicros(e.amountMicros),
    currency: e.currency,
    isTest: e.isTest,
    sender: e.sender,
    sheet: e.sheet,
    occurredAt: e.occurredAt.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    brokenFields: e.brokenFields,
    brokenMacro: e.brokenMacro,
    dedupKey: e.dedupKey,
  };
}

function passedDetail(
  name: CheckStepName,
  info: { params: Params | null; source: CompiledSource | undefined; mapped: number },
  event: CanonicalEvent | null,
): string {
  switch (name) {
    case 'parse':
      return `${info.params?.size ?? 0} parameters read`;
    case 'authenticate':
      return `source ${info.source?.name ?? ''} (${info.source?.slug ?? ''}): ${
        info.source?.authMode === 'hmac' ? 'signature valid' : 'key matches'
      }, address allowed`;
    case 'map':
      return `${info.mapped} fields mapped`;
    case 'validate':
      return event ? `${event.type} for brand ${event.brand}` : '';
    case 'macros':
      return 'no unsubstituted macro';
    case 'dedup':
      if (event?.dedupKey === undefined || event.dedupKey === null)
        return 'no transaction id (nor player id for REG/FTD/CPA): every copy is stored';
      return `new: no event with the key ${event.dedupKey} yet`;
  }
}

function stepsOf(
  check: Check,
  info: { params: Params | null; source: CompiledSource | undefined; mapped: number },
  duplicateOf: number | null,
): CheckStep[] {
  if (check.status === 'rejected') {
    const failed = STEP_OF[check.rejection.code];
    const at = STEP_ORDER.indexOf(failed);
    return STEP_ORDER.map((name, i) => {
      if (i === at)
        return { name, status: 'failed', detail: `${check.rejection.code}: ${check.rejection.reason}` };
      if (i > at) return { name, status: 'skipped', detail: 'not reached' };
      return { name, status: 'passed', detail: passedDetail(name, info, null) };
    });
  }
  const event = check.event;
  return STEP_ORDER.map((name): CheckStep => {
    if (name === 'macros' && event.brokenMacro !== null)
      return {
        name,
        status: 'warning',
        detail: `accepted but flagged broken: ${event.brokenMacro} in ${event.brokenFields.join(', ')}`,
      };
    if (name === 'dedup' && duplicateOf !== null)
      return {
        name,
        status: 'warning',
        detail: `duplicate of event #${duplicateOf}: answered 200, stored once, notified once`,
      };
    return { name, status: 'passed', detail: passedDetail(name, info, event) };
  });
}

export async function adminPostbackCheckRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/admin/postback-check', async (request): Promise<PostbackCheckResult> => {
    const r = parseRequest(request.body);
    const target = parseTarget(r.url);
    const rawBody = r.method === 'POST' && r.body ? r.body : null;
    const contentType = rawBody === null ? null : (r.contentType ?? guessContentType(rawBody));
    const raw: RawPostback = {
      sourceSlug: target.sourceSlug,
      method: r.method,
      rawQuery: target.rawQuery,
      rawBody,
      contentType,
      url: target.url,
      headers: { ...r.headers },
      ip: r.ip,
      userAgent: request.headers['user-agent'] ?? null,
      receivedAt: new Date(),
      channel: 'postback',
    };
    const check = await ctx.ingestor.check(raw);
    const params = collectParams(raw);
    const source = await ctx.sources.get(raw.sourceSlug);
    const reachedMap =
      check.status === 'valid' ||
      STEP_ORDER.indexOf(STEP_OF[check.rejection.code]) >= STEP_ORDER.indexOf('map');
    const mapped = params.ok && source && reachedMap ? mapParams(params.value, source) : null;
    const duplicateOf = check.status === 'valid' ? await storedDuplicate(ctx.db, check.event) : null;
    const notes = [...target.notes];
    if (source && source.allowlist.length > 0 && r.ip === null)
      notes.push('this source accepts listed addresses only: give the network’s address as ip to test it');
    return {
      verdict: check.status === 'rejected' ? 'rejected' : duplicateOf === null ? 'accepted' : 'duplicate',
      httpStatus: check.status === 'rejected' ? check.httpStatus : 200,
      request: {
        method: r.method,
        source: raw.sourceSlug,
        query: redactParams(raw.rawQuery),
        body: redactBody(rawBody, contentType),
        contentType,
        ip: r.ip,
        notes,
      },
      params: params.ok ? shownParams(params.value) : null,
      mapped: mapped?.ok ? mapped.value : null,
      steps: stepsOf(
        check,
        {
          params: params.ok ? params.value : null,
          source,
          mapped: mapped?.ok ? Object.keys(mapped.value).length : 0,
        },
        duplicateOf,
      ),
      event: check.status === 'valid' ? eventOut(check.event, source) : null,
      duplicateOf,
      rejection: check.status === 'rejected' ? check.rejection : null,
    };
  });
}
