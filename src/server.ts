/**
 * Builds the HTTP server: logging, the one error handler, access control and the route groups.
 * No logic here. Every route declares its access level (`config.access`); route groups that share
 * one get it from their scope.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance, type RouteOptions } from 'fastify';
import { type AccessLevel, makeAccessHook } from './access/guards.js';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';
import { adminApiClientRoutes } from './routes/admin/api-clients.js';
import { adminAuditRoutes } from './routes/admin/audit.js';
import { adminBotRoutes } from './routes/admin/bots.js';
import { adminBrandRoutes } from './routes/admin/brands.js';
import { adminImportRoutes } from './routes/admin/import.js';
import { adminLinkRoutes } from './routes/admin/links.js';
import { adminPostbackCheckRoutes } from './routes/admin/postback-check.js';
import { adminRejectionRoutes } from './routes/admin/rejections.js';
import { adminSettingsRoutes } from './routes/admin/settings.js';
import { adminSourceRoutes } from './routes/admin/sources.js';
import { adminUserRoutes } from './routes/admin/users.js';
import { analyticsRoutes } from './routes/analytics/index.js';
import { apiEventRoutes } from './routes/api-events/index.js';
import { authErrorPage, wantsAuthErrorPage } from './routes/auth/error-page.js';
import { authRoutes } from './routes/auth/index.js';
import { healthRoutes } from './routes/health/index.js';
import { liveRoutes } from './routes/live/index.js';
import { makePostbackFastPath } from './routes/postback/fast-path.js';
import { postbackRoutes, routingUrl } from './routes/postback/index.js';
import { webRoutes } from './routes/web/index.js';

export interface RouteEntry {
  method: string;
  url: string;
  access: AccessLevel | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** Every route with its access level, for the access matrix test and the docs. */
    routeTable: RouteEntry[];
  }
}

/** Request log lines never carry a secret: login-link tokens and key parameters are blanked. */
export function redactUrl(url: string): string {
  return url
    .replace(/\/auth\/link\/[^/?#]+/, '/auth/link/***')
    .replace(/([?&](?:key|api_key|secret|hash)=)[^&]*/gi, '$1***');
}

function serializeRequest(request: { method: string; url: string; ip?: string; id?: string }) {
  return { id: request.id, method: request.method, url: redactUrl(request.url), ip: request.ip };
}

export interface BuildServerOptions {
  /** Pino logger options, or false to log nothing (tests). */
  logger?: boolean | Record<string, unknown>;
}

/** Registers a group of routes whose default access level is `access`. */
function withAccess(access: AccessLevel, routes: (scope: FastifyInstance) => Promise<void>) {
  return async (scope: FastifyInstance) => {
    scope.addHook('onRoute', (route: RouteOptions) => {
      route.config = { ...route.config, access: route.config?.access ?? access };
    });
    await routes(scope);
  };
}

export async function buildServer(
  ctx: AppContext,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  let closing = false;
  // Postbacks skip fastify's router and hooks on real sockets (see routes/postback/fast-path.ts);
  // the handler is bound once `app` exists, before the server listens.
  let postbackFastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  const app = Fastify({
    serverFactory: (handler, opts) => {
      const server = createServer(opts.http ?? {}, (req, res) => {
        if (postbackFastPath?.(req, res)) return;
        handler(req, res);
      });
      // What fastify sets on a server it creates itself (its defaults are in `opts` by now): without
      // them node's 5 s keep-alive timeout would close idle client connections 67 s early.
      const { keepAliveTimeout, requestTimeout, connectionTimeout, maxRequestsPerSocket } = opts;
      if (typeof keepAliveTimeout === 'number') server.keepAliveTimeout = keepAliveTimeout;
      if (typeof requestTimeout === 'number') server.requestTimeout = requestTimeout;
      if (typeof connectionTimeout === 'number') server.setTimeout(connectionTimeout);
      if (typeof maxRequestsPerSocket === 'number' && maxRequestsPerSocket > 0)
        server.maxRequestsPerSocket = maxRequestsPerSocket;
      return server;
    },
    logger: options.logger ?? { level: ctx.config.logLevel, serializers: { req: serializeRequest } },
    trustProxy: ctx.config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    return503OnClosing: true,
    rewriteUrl: (request) => routingUrl(request.url ?? '/'),
  });
  app.decorate('ctx', ctx);
  app.decorate('routeTable', [] as RouteEntry[]);
  app.decorateRequest('caller', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      // Read lazily: a group's onRoute hook (withAccess) sets the level after this root hook runs.
      app.routeTable.push({
        method,
        url: route.url,
        get access() {
          return route.config?.access;
        },
      });
    }
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      reply.code(error.status).headers(error.headers);
      if (wantsAuthErrorPage(request))
        return reply.type('text/html; charset=utf-8').send(authErrorPage(error.status, error.message));
      return reply.send(error.toBody());
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
  // Sockets that never sent a request (a browser's preconnect, a pooled client socket) are not
  // "idle" to node's closeIdleConnections and would hold the close open: they are ended at once.
  const silentSockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    silentSockets.add(socket);
    const forget = () => silentSockets.delete(socket);
    socket.once('data', forget);
    socket.once('close', forget);
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of silentSockets) socket.destroy();
  });
  // Callback style: runs on every answer, and an async hook costs a promise and a microtask each.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', async () => {
    await ctx.close();
  });
  postbackFastPath = makePostbackFastPath({ ctx, log: app.log, closing: () => closing, redactUrl });

  await app.register(cookie);
  app.addHook('onRequest', makeAccessHook(ctx));

  await app.register(withAccess('public', (scope) => healthRoutes(scope, ctx)));
  await app.register(withAccess('public', (scope) => postbackRoutes(scope, ctx)));
  await app.register(withAccess('client', (scope) => apiEventRoutes(scope, ctx)));
  await app.register(withAccess('reader', (scope) => analyticsRoutes(scope, ctx)));
  await app.register(withAccess('reader', (scope) => liveRoutes(scope, ctx)));
  await app.register(async (scope) => authRoutes(scope, ctx));
  await app.register(
    withAccess('admin', async (scope) => {
      await adminUserRoutes(scope, ctx);
      await adminApiClientRoutes(scope, ctx);
      await adminAuditRoutes(scope, ctx);
      await adminBotRoutes(scope, ctx);
      await adminSourceRoutes(scope, ctx);
      await adminLinkRoutes(scope, ctx);
      await adminPostbackCheckRoutes(scope, ctx);
      await adminRejectionRoutes(scope, ctx);
      await adminBrandRoutes(scope, ctx);
      await adminSettingsRoutes(scope, ctx);
      await adminImportRoutes(scope, ctx);
    }),
  );
  await app.register(withAccess('public', (scope) => webRoutes(scope)));
  return app;
}
