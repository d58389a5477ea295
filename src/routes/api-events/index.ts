/**
 * `POST /api/v1/events` — events from CRMs and scripts with a bearer token. Each item runs the
 * same pipeline as a postback and gets its own verdict. An `Idempotency-Key` makes a retried call
 * return the first call's answer instead of running again.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { authenticateApiCaller } from '../../access/api-token.js';
import type { AppContext } from '../../context.js';
import { type EventVerdict, eventBatchSchema } from '../../contracts/events.js';
import { AppError } from '../../errors.js';
import type { RawPostback } from '../../ingest/raw-postback.js';
import { verdictBody } from '../postback/verdict-reply.js';

const IDEMPOTENCY_KEY_MAX = 200;

export async function apiEventRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/v1/events', { bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
    const caller = authenticateApiCaller(request, ctx.config.apiToken);
    const parsed = eventBatchSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('bad_request', issue?.message ?? 'invalid body', {
        field: issue?.path.join('.') || undefined,
      });
    }

    const idemKey = request.headers['idempotency-key'];
    const requestHash = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
    if (typeof idemKey === 'string') {
      if (idemKey.length === 0 || idemKey.length > IDEMPOTENCY_KEY_MAX) {
        throw new AppError('bad_request', `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX} characters`, {
          field: 'Idempotency-Key',
        });
      }
      const previous = await ctx.db.kysely
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', caller.name)
        .where('key', '=', idemKey)
        .executeTakeFirst();
      if (previous) {
        if (previous.request_hash !== requestHash) {
          throw new AppError('unprocessable', 'Idempotency-Key reused with a different body', {
            field: 'Idempotency-Key',
          });
        }
        return reply
          .code(previous.status_code)
          .header('idempotent-replay', 'true')
          .type('application/json')
          .send(previous.response);
      }
    }

    const receivedAt = new Date();
    const verdicts = await Promise.all(
      parsed.data.events.map(async (item, index): Promise<{ httpStatus: number; verdict: EventVerdict }> => {
        const body = JSON.stringify(item);
        const raw: RawPostback = {
          sourceSlug: item.source,
          method: 'POST',
          rawQuery: '',
          rawBody: body,
          contentType: 'application/json',
          url: '/api/v1/events',
          headers: {},
          ip: request.ip ?? null,
          userAgent: request.headers['user-agent'] ?? null,
          receivedAt,
          channel: 'api',
          defaultSender: caller.name,
        };
        const { httpStatus, body: verdict } = verdictBody(await ctx.ingestor.ingest(raw));
        return { httpStatus, verdict: { index, ...verdict } };
      }),
    );

    const single = parsed.data.single ? verdicts[0] : undefined;
    const statusCode = single ? single.httpStatus : 200;
    const response = JSON.stringify(
      single
        ? single.verdict
        : {
            accepted: verdicts.filter((v) => v.verdict.status === 'accepted').length,
            duplicates: verdicts.filter((v) => v.verdict.status === 'duplicate').length,
            rejected: verdicts.filter((v) => v.verdict.status === 'rejected').length,
            results: verdicts.map((v) => v.verdict),
          },
    );
    if (typeof idemKey === 'string') {
      await ctx.db.kysely
        .insertInto('idempotency_keys')
        .values({
          scope: caller.name,
          key: idemKey,
          request_hash: requestHash,
          status_code: statusCode,
          response,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .execute();
    }
    return reply.code(statusCode).type('application/json').send(response);
  });
}
