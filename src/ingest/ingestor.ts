/**
 * The postback pipeline, read top to bottom: parse the request, authenticate the source, map its
 * parameters, validate into a canonical event, then hand it to the group-commit writer and wait
 * for the verdict. Every rejection is written too (with its reason) before it is answered.
 * Used by the postback route, the event API and the importer alike.
 */
import { createHash } from 'node:crypto';
import type { BrandDirectory } from '../brands/brand-directory.js';
import type { Db } from '../db/connect.js';
import type { CanonicalEvent } from '../domain.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import type { SourceDirectory } from '../sources/source-directory.js';
import { authenticateSource } from './authenticate-source.js';
import { mapParams } from './map-params.js';
import { type Params, paramsFromJson, parseParams } from './parse-params.js';
import type { RawPostback } from './raw-postback.js';
import { redactBody, redactParams, storableText } from './redact-secrets.js';
import { STORED_RAW_MAX } from './reprocessable.js';
import { type Rejection, rejectionStatus, type StepResult } from './step.js';
import { type RejectionRecord, storeBatch, type WriteItem, type WriteResult } from './store-batch.js';
import { validateEvent } from './validate-event.js';
import { WriteBuffer, type WriteBufferOptions } from './write-buffer.js';

/** What `check` tells: the canonical event a postback would become, or why it would be refused. */
export type Check =
  | { status: 'valid'; event: CanonicalEvent }
  | { status: 'rejected'; httpStatus: number; rejection: Rejection };

type Evaluation =
  | { ok: true; event: CanonicalEvent }
  | { ok: false; rejection: Rejection; source: CompiledSource | null; params: Params | null };

export type Verdict =
  | { status: 'accepted'; eventId: number }
  | { status: 'duplicate'; eventId: number }
  | { status: 'rejected'; httpStatus: number; rejection: Rejection };

/** Longest raw query/body kept with a rejection; the rest is cut (a rejection is evidence, not data). */
const REJECTION_RAW_MAX = STORED_RAW_MAX;

/** Query string and body (form or JSON) merged into one parameter map. */
export function collectParams(raw: RawPostback): StepResult<Params> {
  const fromQuery = parseParams(raw.rawQuery);
  if (!fromQuery.ok || raw.rawBody === null || raw.rawBody === '') return fromQuery;
  const type = (raw.contentType ?? '').toLowerCase();
  if (type.includes('json')) return paramsFromJson(raw.rawBody, fromQuery.value);
  return parseParams(raw.rawBody, fromQuery.value);
}

export class Ingestor {
  readonly buffer: WriteBuffer<WriteItem, WriteResult>;

  constructor(
    db: Db,
    readonly sources: SourceDirectory,
    readonly brands: BrandDirectory,
    options: WriteBufferOptions,
    /** Writes one batch; by default in this thread (the SQLite writer thread passes its own). */
    store: (items: WriteItem[]) => Promise<WriteResult[]> = (items) => storeBatch(db, brands, items),
  ) {
    this.buffer = new WriteBuffer(store, options);
  }

  /** Runs every step but the write: what would happen to this postback, storing nothing. */
  async check(raw: RawPostback): Promise<Check> {
    const outcome = this.evaluate(raw, await this.sources.get(raw.sourceSlug));
    if (outcome.ok) return { status: 'valid', event: outcome.event };
    return {
      status: 'rejected',
      httpStatus: rejectionStatus(outcome.rejection.code),
      rejection: outcome.rejection,
    };
  }

  /** Runs every step; resolves with the final verdict once it is durably stored. */
  async ingest(raw: RawPostback): Promise<Verdict> {
    // Awaited only when the directory must refresh first: most postbacks need no extra promise.
    const named = this.sources.isFresh()
      ? this.sources.peek(raw.sourceSlug)
      : await this.sources.get(raw.sourceSlug);
    const outcome = this.evaluate(raw, named);
    if (!outcome.ok) return this.rejectWith(raw, outcome.source, outcome.params, outcome.rejection);
    const result = await this.buffer.submit({ kind: 'event', event: outcome.event });
    if (result.kind === 'rejection-logged') throw new Error('an event was stored as a rejection');
    return { status: result.kind, eventId: result.eventId };
  }

  /** The steps themselves, given what the source directory holds for the slug (`named`). */
  private evaluate(raw: RawPostback, named: CompiledSource | undefined): Evaluation {
    const params = collectParams(raw);
    if (!params.ok) return { ok: false, rejection: params.rejection, source: null, params: null };

    let source: CompiledSource;
    if (raw.channel === 'postback') {
      const auth = authenticateSource(raw, params.value, named);
      if (!auth.ok) return { ok: false, rejection: auth.rejection, source: null, params: params.value };
      source = auth.value;
    } else {
      // Token API and import are authenticated by their caller; the source must exist and be active.
      if (!named?.isActive) {
        const rejection: Rejection = named
          ? { code: 'source_inactive', reason: `source "${named.slug}" is inactive`, field: 'source' }
          : {
              code: 'unknown_source',
              reason: `unknown source "${raw.sourceSlug.slice(0, 64)}"`,
              field: 'source',
            };
        return { ok: false, rejection, source: named ?? null, params: params.value };
      }
      source = named;
    }

    const mapped = mapParams(params.value, source);
    if (!mapped.ok) return { ok: false, rejection: mapped.rejection, source, params: params.value };
    const event = validateEvent(mapped.value, { raw, source, brands: this.brands });
    if (!event.ok) return { ok: false, rejection: event.rejection, source, params: params.value };
    event.value.rawQuery = redactParams(raw.rawQuery);
    event.value.rawBody = redactBody(raw.rawBody, raw.contentType);
    return { ok: true, event: event.value };
  }

  private async rejectWith(
    raw: RawPostback,
    source: CompiledSource | null,
    params: Params | null,
    rejection: Rejection,
  ): Promise<Verdict> {
    const rawQuery = storableText(redactParams(raw.rawQuery).slice(0, REJECTION_RAW_MAX));
    const rawBody = storableText(
      redactBody(raw.rawBody, raw.contentType)?.slice(0, REJECTION_RAW_MAX) ?? null,
    );
    const sourceSlug = storableText(raw.sourceSlug.slice(0, 64));
    const reason = storableText(rejection.reason);
    const field = storableText(rejection.field ?? null);
    // Rejected before or during authentication, the source is still worth recording when it exists.
    source ??= (await this.sources.get(raw.sourceSlug).catch(() => undefined)) ?? null;
    const brandNames = source?.params.get('brand') ?? ['brand'];
    const brandSlug =
      brandNames.map((n) => params?.get(n)?.[0]).find((v) => v !== undefined && v !== '') ?? null;
    const record: RejectionRecord = {
      fingerprint: createHash('sha256')
        .update(`${raw.channel}\n${sourceSlug}\n${raw.method}\n${rawQuery}\n${rawBody ?? ''}`)
        .digest('hex'),
      at: raw.receivedAt.getTime(),
      sourceSlug,
      sourceId: source?.id ?? null,
      brandSlug: storableText(brandSlug?.trim().toLowerCase().slice(0, 64) ?? null),
      code: rejection.code,
      reason,
      field,
      method: raw.method,
      rawQuery,
      rawBody,
      ip: raw.ip,
      userAgent: storableText(raw.userAgent?.slice(0, 256) ?? null),
    };
    await this.buffer.submit({ kind: 'rejection', rejection: record });
    const answered: Rejection =
      field === null ? { code: rejection.code, reason } : { code: rejection.code, reason, field };
    return { status: 'rejected', httpStatus: rejectionStatus(rejection.code), rejection: answered };
  }

  async close(): Promise<void> {
    await this.buffer.close();
  }
}
