/**
 * `/api/admin/api-clients`: list, create (the token is in this one answer and nowhere else),
 * edit (name, rate limit, active), delete. Admins only; every change is audited.
 */
import type { FastifyInstance } from 'fastify';
import { apiClientPatchSchema, createApiClient, publicApiClient } from '../../access/api-clients.js';
import { recordAudit } from '../../access/audit.js';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

async function findClient(ctx: AppContext, raw: string) {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new AppError('bad_request', 'client id must be a positive integer', { field: 'id' });
  const client = await ctx.db.kysely
    .selectFrom('api_clients')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!client) throw new AppError('not_found', `no API client ${id}`);
  return client;
}

export async function adminApiClientRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/admin/api-clients', async () => {
    const rows = await ctx.db.kysely
      .selectFrom('api_clients')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return { clients: rows.map(publicApiClient) };
  });

  app.post('/api/admin/api-clients', async (request, reply) => {
    const actor = actorOf(request);
    const { client, token } = await createApiClient(ctx.db, request.body ?? {}, actor.userId);
    await recordAudit(ctx.db.kysely, actor, {
      action: 'api_client.create',
      targetType: 'api_client',
      targetId: client.id,
      after: publicApiClient(client),
    });
    return reply.code(201).send({ client: publicApiClient(client), token });
  });

  app.patch<{ Params: { id: string } }>('/api/admin/api-clients/:id', async (request) => {
    const before = await findClient(ctx, request.params.id);
    const parsed = apiClientPatchSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('bad_request', issue?.message ?? 'invalid change', { field: issue?.path.join('.') });
    }
    const p = parsed.data;
    if (p.name !== undefined && p.name !== before.name) {
      const taken = await ctx.db.kysely
        .selectFrom('api_clients')
        .select('id')
        .where('name', '=', p.name)
        .executeTakeFirst();
      if (taken) throw new AppError('conflict', `an API client named "${p.name}" exists`, { field: 'name' });
    }
    const after = await ctx.db.kysely
      .updateTable('api_clients')
      .set({
        name: p.name ?? before.name,
        rate_limit_per_minute: p.rateLimitPerMinute ?? before.rate_limit_per_minute,
        is_active: p.isActive === undefined ? before.is_active : p.isActive ? 1 : 0,
      })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'api_client.update',
      targetType: 'api_client',
      targetId: before.id,
      before: publicApiClient(before),
      after: publicApiClient(after),
    });
    return { client: publicApiClient(after) };
  });

  app.delete<{ Params: { id: string } }>('/api/admin/api-clients/:id', async (request, reply) => {
    const before = await findClient(ctx, request.params.id);
    await ctx.db.kysely.deleteFrom('api_clients').where('id', '=', before.id).execute();
    await ctx.db.kysely.deleteFrom('rate_limits').where('bucket', '=', `client:${before.id}`).execute();
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'api_client.delete',
      targetType: 'api_client',
      targetId: before.id,
      before: publicApiClient(before),
    });
    return reply.code(204).send();
  });
}
