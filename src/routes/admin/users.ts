/**
 * `/api/admin/users`: list (with the active-session dot), add, edit (role, status, active, names),
 * end a user's sessions, delete. Admins only; every change is audited by the user service.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../access/guards.js';
import { usersWithLiveSessions } from '../../access/sessions.js';
import { addUser, deleteUser, endSessionsOf, listUsers, publicUser, updateUser } from '../../access/users.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

function userId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new AppError('bad_request', 'user id must be a positive integer', { field: 'id' });
  return id;
}

export async function adminUserRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const policy = { idleMs: ctx.config.access.sessionIdleMs, maxMs: ctx.config.access.sessionMaxMs };

  app.get('/api/admin/users', async () => {
    const [users, live] = await Promise.all([listUsers(ctx.db), usersWithLiveSessions(ctx.db, policy)]);
    return { users: users.map((u) => ({ ...publicUser(u), hasActiveSession: live.has(Number(u.id)) })) };
  });

  app.post('/api/admin/users', async (request, reply) => {
    const user = await addUser(ctx.db, request.body, actorOf(request));
    return reply.code(201).send({ user: publicUser(user) });
  });

  app.patch<{ Params: { id: string } }>('/api/admin/users/:id', async (request) => {
    const user = await updateUser(ctx.db, userId(request.params.id), request.body, actorOf(request));
    return { user: publicUser(user) };
  });

  app.post<{ Params: { id: string } }>('/api/admin/users/:id/end-sessions', async (request) => {
    const ended = await endSessionsOf(ctx.db, userId(request.params.id), actorOf(request));
    return { ended };
  });

  app.delete<{ Params: { id: string } }>('/api/admin/users/:id', async (request, reply) => {
    await deleteUser(ctx.db, userId(request.params.id), actorOf(request));
    return reply.code(204).send();
  });
}
