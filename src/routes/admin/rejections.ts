/**
 * `POST /api/admin/rejections/:id/reprocess`: sends a stored rejected postback through the
 * pipeline again, with the source's settings as they are now: after an admin fixed what refused it
 * (an event word added to the mapping, a brand unblocked, a default currency set), the lost
 * conversion is stored instead of staying a rejection once the network has stopped retrying.
 *
 * Only rejections that got past authentication qualify: a request refused for its key, signature,
 * address or source never proved it came from the network, and one that could not be parsed never
 * reached that check. The stored request is what is sent (its key was never stored: `key=***`),
 * dated at its first arrival. When it would still be refused, nothing is stored and the answer
 * says why; when it is stored (or is a duplicate of an event stored since), the rejection row is
 * removed, so Deal Audit stops counting it. Audited as `rejection.reprocess`.
 */
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../access/audit.js';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { RawPostback } from '../../ingest/raw-postback.js';
import { refusedBeforeAuthentication, STORED_RAW_MAX } from '../../ingest/reprocessable.js';

export async function adminRejectionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post<{ Params: { id: string } }>('/api/admin/rejections/:id/reprocess', async (request) => {
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id < 1)
      throw new AppError('bad_request', 'id must be a rejection id', { field: 'id' });
    const row = await ctx.db.kysely
      .selectFrom('rejections')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', `no rejection ${id}`, { field: 'id' });
    if (refusedBeforeAuthentication(row.reason_code) || row.source_id === null)
      throw new AppError(
        'conflict',
        `a rejection for ${row.reason_code} cannot be sent again: the request never proved it came from the network`,
        { field: 'id' },
      );
    if (row.raw_query.length >= STORED_RAW_MAX || (row.raw_body?.length ?? 0) >= STORED_RAW_MAX)
      throw new AppError(
        'conflict',
        'the stored request was cut when it was recorded; it cannot be sent again',
        {
          field: 'id',
        },
      );
    const source = await ctx.db.kysely
      .selectFrom('sources')
      .select('slug')
      .where('id', '=', Number(row.source_id))
      .executeTakeFirst();
    if (!source)
      throw new AppError('conflict', 'the source of this rejection no longer exists', { field: 'id' });

    const raw: RawPostback = {
      channel: 'reprocess',
      sourceSlug: source.slug,
      method: row.method,
      rawQuery: row.raw_query,
      rawBody: row.raw_body,
      contentType:
        row.raw_body === null
          ? null
          : row.raw_body.trimStart().startsWith('{')
            ? 'application/json'
            : 'application/x-www-form-urlencoded',
      url: `/postback/${source.slug}${row.raw_query ? `?${row.raw_query}` : ''}`,
      headers: {},
      ip: row.ip,
      userAgent: row.user_agent,
      receivedAt: new Date(Number(row.first_seen_at)),
    };
    // Checked first: a request that would still be refused is answered, not recorded again.
    const check = await ctx.ingestor.check(raw);
    let outcome: {
      status: 'accepted' | 'duplicate' | 'rejected';
      eventId: number | null;
      code: string | null;
      reason: string | null;
    };
    if (check.status === 'rejected') {
      outcome = {
        status: 'rejected',
        eventId: null,
        code: check.rejection.code,
        reason: check.rejection.reason,
      };
    } else {
      const verdict = await ctx.ingestor.ingest(raw);
      if (verdict.status === 'rejected')
        outcome = {
          status: 'rejected',
          eventId: null,
          code: verdict.rejection.code,
          reason: verdict.rejection.reason,
        };
      else {
        outcome = { status: verdict.status, eventId: verdict.eventId, code: null, reason: null };
        await ctx.db.kysely.deleteFrom('rejections').where('id', '=', id).execute();
      }
    }
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'rejection.reprocess',
      targetType: 'rejection',
      targetId: id,
      before: {
        source: source.slug,
        brand: row.brand_slug,
        code: row.reason_code,
        attempts: Number(row.attempts),
      },
      after: outcome,
    });
    return { rejectionId: id, ...outcome };
  });
}
