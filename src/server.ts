/**
 * Builds the HTTP server: logging, the one error handler, and the route groups. No logic here.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';
import { authenticateApiCaller } from './access/api-token.js';
import { analyticsRoutes } from './routes/analytics/index.js';
import { apiEventRoutes } from './routes/api-events/index.js';
import { healthRoutes } from './routes/health/index.js';
import { postbackRoutes } from './routes/postback/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export interface BuildServerOptions {
  /** Pino logger options, or false to log nothing (tests). */
  logger?: boolean | Record<string, unknown>;
}

export async function buildServer(
  ctx: AppContext,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: ctx.config.logLevel },
    trustProxy: ctx.config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    return503OnClosing: true,
  });
  app.decorate('ctx', ctx);

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      return reply.code(error.status).headers(error.headers).send(error.toBody());
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(new AppError('internal', 'internal error').toBody());
    }
    const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : 'bad_request';
    return reply.code(status).send({ error: { code, message: error.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );

  // Shutdown: in-flight requests finish and are answered with `Connection: close`, so keep-alive
  // clients let go and the server can close; then the writer flushes and storage closes.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => {
    await ctx.close();
  });

  await app.register(async (scope) => healthRoutes(scope, ctx));
  await app.register(async (scope) => postbackRoutes(scope, ctx));
  await app.register(async (scope) => apiEventRoutes(scope, ctx));
  await app.register(async (scope) => {
    // Readers: every /api/v1 read route needs an authenticated caller.
    scope.addHook('onRequest', async (request) => {
      authenticateApiCaller(request, ctx.config.apiToken);
    });
    await analyticsRoutes(scope, ctx);
  });
  app.get('/', async () => ({ name: 'S2S Galaxy', docs: '/README' }));
  return app;
}
