/**
 * `/healthz`: the process answers. `/readyz`: storage answers and every migration is applied,
 * so a load balancer sends postbacks only where they can be stored.
 */

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { isMigrated } from '../../db/migrate.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db.kysely);
      if (!(await isMigrated(ctx.db))) return reply.code(503).send({ status: 'migrations pending' });
      return { status: 'ready', storage: ctx.db.dialect };
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'storage unavailable' });
    }
  });
}
