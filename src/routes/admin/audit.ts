/**
 * `GET /api/admin/audit`: the audit log, newest first, filtered by actor (a part of it, any case),
 * action (a prefix: `source` finds every `source.*`), target and time, paged by id (keyset), so deep
 * pages cost the same as the first. Each entry carries the actor's and the target's names as they
 * are now (a user, source, brand, API client or bot), beside the ids the log keeps.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { containsPattern } from '../../analytics/filters.js';
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
    if (q.actor) query = query.where(sql<boolean>`lower(actor) like ${containsPattern(q.actor)} escape '\\'`);
    if (q.action)
      query = query.where(
        sql<boolean>`lower(action) like ${`${containsPattern(q.action).slice(1)}`} escape '\\'`,
      );
    if (q.targetType) query = query.where('target_type', '=', q.targetType);
    if (q.targetId) query = query.where('target_id', '=', q.targetId);
    if (q.from) query = query.where('at', '>=', Date.parse(q.from));
    if (q.to) query = query.where('at', '<=', Date.parse(q.to));
    if (q.before) query = query.where('id', '<', q.before);
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    const names = await namesOf(ctx, page);
    return {
      entries: page.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        actorUserId: r.actor_user_id,
        actorName: r.actor_user_id === null ? null : (names.get(`user:${r.actor_user_id}`) ?? null),
        targetName:
          r.target_type !== null && r.target_id !== null
            ? (names.get(`${r.target_type}:${r.target_id}`) ?? null)
            : null,
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

/** Tables whose rows an audit entry may name, and the column that names them. */
const NAMED: Record<string, { table: string; name: string }> = {
  user: { table: 'users', name: "first_name || ' ' || last_name" },
  source: { table: 'sources', name: 'name' },
  brand: { table: 'brands', name: 'name' },
  api_client: { table: 'api_clients', name: 'name' },
  bot: { table: 'bots', name: 'name' },
};

/** `type:id` -> the current name, for the page's actors and targets (a row deleted since: none). */
async function namesOf(
  ctx: AppContext,
  rows: ReadonlyArray<{ actor_user_id: number | null; target_type: string | null; target_id: string | null }>,
): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<number>>();
  const want = (type: string, id: unknown) => {
    const n = Number(id);
    if (NAMED[type] && Number.isSafeInteger(n) && n > 0)
      wanted.set(type, (wanted.get(type) ?? new Set()).add(n));
  };
  for (const r of rows) {
    if (r.actor_user_id !== null) want('user', r.actor_user_id);
    if (r.target_type !== null && r.target_id !== null) want(r.target_type, r.target_id);
  }
  const out = new Map<string, string>();
  for (const [type, ids] of wanted) {
    const spec = NAMED[type];
    if (!spec) continue;
    // Table and column names come from NAMED only; the ids are bound.
    const found = await sql<{
      id: number;
      name: string;
    }>`select id, ${sql.raw(spec.name)} as name from ${sql.table(spec.table)} where id in (${sql.join([...ids])})`.execute(
      ctx.db.kysely,
    );
    for (const f of found.rows) out.set(`${type}:${Number(f.id)}`, String(f.name).trim());
  }
  return out;
}
