/**
 * `POST /api/v1/events` — events from CRMs and scripts with a bearer token. Each item runs the
 * same pipeline as a postback and gets its own verdict. An `Idempotency-Key` makes a retried call
 * return the first call's answer instead of running again.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { requireClientCaller } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import { type EventInput, type EventVerdict, eventBatchSchema } from '../../contracts/events.js';
import { AppError } from '../../errors.js';
import type { RawPostback } from '../../ingest/raw-postback.js';
import { verdictBody } from '../postback/verdict-reply.js';
import { completeIdempotencyKey, releaseIdempotencyKey, reserveIdempotencyKey } from './idempotency.js';

const IDEMPOTENCY_KEY_MAX = 200;

interface Outcome {
  statusCode: number;
  response: string;
}

async function ingestItems(
  ctx: AppContext,
  items: EventInput[],
  single: boolean,
  meta: { ip: string | null; userAgent: string | null; sender: string },
): Promise<Outcome> {
  const receivedAt = new Date();
  const verdicts = await Promise.all(
    items.map(async (item, index): Promise<{ httpStatus: number; verdict: EventVerdict }> => {
      const raw: RawPostback = {
        sourceSlug: item.source,
        method: 'POST',
        rawQuery: '',
        rawBody: JSON.stringify(item),
        contentType: 'application/json',
        url: '/api/v1/events',
        headers: {},
        ip: meta.ip,
        userAgent: meta.userAgent,
        receivedAt,
        channel: 'api',
        defaultSender: meta.sender,
      };
      const { httpStatus, body } = verdictBody(await ctx.ingestor.ingest(raw));
      return { httpStatus, verdict: { index, ...body } };
    }),
  );
  const first = verdicts[0];
  if (single && first) return { statusCode: first.httpStatus, response: JSON.stringify(first.verdict) };
  const count = (status: EventVerdict['status']) =>
    verdicts.filter((v) => v.verdict.status === status).length;
  return {
    statusCode: 200,
    response: JSON.stringify({
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results: verdicts.map((v) => v.verdict),
    }),
  };
}

export async function apiEventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/v1/events', { bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
    const client = requireClientCaller(request);
    const scope = `client:${client.id}`;
    const parsed = eventBatchSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('bad_request', issue?.message ?? 'invalid body', {
        field: issue?.path.join('.') || undefined,
      });
    }
    const meta = {
      ip: request.ip ?? null,
      userAgent: request.headers['user-agent'] ?? null,
      sender: client.name,
    };

    const idemKey = request.headers['idempotency-key'];
    if (typeof idemKey !== 'string') {
      const outcome = await ingestItems(ctx, parsed.data.events, parsed.data.single, meta);
      return reply.code(outcome.statusCode).type('application/json').send(outcome.response);
    }

    if (idemKey.length === 0 || idemKey.length > IDEMPOTENCY_KEY_MAX) {
      throw new AppError('bad_request', `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX} characters`, {
        field: 'Idempotency-Key',
      });
    }
    const requestHash = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    const reservation = await reserveIdempotencyKey(ctx.db, scope, idemKey, requestHash);
    switch (reservation.kind) {
      case 'mismatch':
        throw new AppError('unprocessable', 'Idempotency-Key reused with a different body', {
          field: 'Idempotency-Key',
        });
      case 'in-progress':
        throw new AppError('conflict', 'a request with this Idempotency-Key is still running', {
          field: 'Idempotency-Key',
          headers: { 'retry-after': '1' },
        });
      case 'replay':
        return reply
          .code(reservation.statusCode)
          .header('idempotent-replay', 'true')
          .type('application/json')
          .send(reservation.response);
      case 'reserved':
        break;
    }
    let outcome: Outcome;
    try {
      outcome = await ingestItems(ctx, parsed.data.events, parsed.data.single, meta);
    } catch (error) {
      await releaseIdempotencyKey(ctx.db, scope, idemKey).catch(() => undefined);
      throw error;
    }
    await completeIdempotencyKey(ctx.db, scope, idemKey, outcome.statusCode, outcome.response);
    return reply.code(outcome.statusCode).type('application/json').send(outcome.response);
  });
}
