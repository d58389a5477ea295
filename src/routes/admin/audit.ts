/**
 * `GET /api/admin/audit`: the audit log, newest first, filtered by actor, action, target and time,
 * paged by id (keyset), so deep pages cost the same as the first.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

const querySchema = z.object({
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function adminAuditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/admin/audit', async (request) => {
    const parsed = querySchema.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('bad_request', issue?.message ?? 'invalid query', { field: issue?.path.join('.') });
    }
    const q = parsed.data;
    if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
      throw new AppError('bad_request', 'from is after to', { field: 'from' });
    }
    let query = ctx.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.targetType) query = query.where('target_type', '=', q.targetType);
    if (q.targetId) query = query.where('target_id', '=', q.targetId);
    if (q.from) query = query.where('at', '>=', Date.parse(q.from));
    if (q.to) query = query.where('at', '<=', Date.parse(q.to));
    if (q.before) query = query.where('id', '<', q.before);
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return {
      entries: page.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        actorUserId: r.actor_user_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        before: parseJson(r.before),
        after: parseJson(r.after),
        ip: r.ip,
      })),
      nextBefore: rows.length > q.limit ? Number(page.at(-1)?.id) : null,
    };
  });
}
