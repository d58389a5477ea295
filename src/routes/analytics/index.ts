/**
 * The read API under /api/v1: every figure, table and export the panel shows. Registered by
 * server.ts inside a scope that already authenticated the caller (a session or an API client).
 * Each route is a row of READ_ROUTES; this file only mounts them and the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { ReadCatchUp } from '../../ingest/derived-rollups.js';
import { READ_ROUTES } from './handlers.js';
import { buildOpenApi } from './openapi.js';

/** Set on a read answered before every stored event was counted into the rollups. */
export const FIGURES_PENDING = 'x-figures-pending';

export async function analyticsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const catchUp = new ReadCatchUp(() => ctx.derived, ctx.config.readCatchUpMs);
  for (const route of READ_ROUTES) {
    app.get(route.url, async (request, reply) => {
      // Every answer includes every event stored before the request, unless counting them takes
      // longer than READ_CATCH_UP_MS: then it says that figures are still being counted.
      if (!(await catchUp.wait())) reply.header(FIGURES_PENDING, '1');
      return route.handle(ctx, request, reply);
    });
  }
  let openapi: unknown = null;
  app.get('/api/v1/openapi.json', async () => {
    openapi ??= buildOpenApi(READ_ROUTES, '0.1.0');
    return openapi;
  });
}
