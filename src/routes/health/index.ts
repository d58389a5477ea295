/**
 * `/healthz`: the process answers. `/readyz`: storage answers and every migration is applied,
 * so a load balancer sends postbacks only where they can be stored; it also says since when the
 * server runs (the Settings page's uptime).
 */

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { isMigrated } from '../../db/migrate.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const startedAt = Date.now();
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db.kysely);
      if (!(await isMigrated(ctx.db))) return reply.code(503).send({ status: 'migrations pending' });
      return {
        status: 'ready',
        storage: ctx.db.dialect,
        started_at: new Date(startedAt).toISOString(),
        uptime_s: Math.floor((Date.now() - startedAt) / 1000),
      };
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'storage unavailable' });
    }
  });
}
