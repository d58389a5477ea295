/**
 * Who may call what, decided once per request from the route's declared access level
 * (`config.access`). A route without a level is refused: access is never forgotten silently.
 *
 * - public:  anyone (postbacks authenticate themselves; health; login endpoints)
 * - session: any logged-in person, including one still PENDING (to see the waiting page)
 * - viewer:  an approved person (viewer or admin), by session
 * - reader:  an approved person, or an API client by bearer token (rate-limited)
 * - client:  an API client only (rate-limited)
 * - admin:   an approved, active admin, by session
 *
 * Unsafe methods with a session need the session's CSRF token in `X-CSRF-Token`.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AppContext } from '../context.js';
import type { ApiClientRow, SessionRow, UserRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { authenticateApiToken } from './api-clients.js';
import type { Actor } from './audit.js';
import { hitRateLimit, rateLimitHeaders } from './rate-limit.js';
import { loadSession, SESSION_COOKIE } from './sessions.js';
import { actorLabel } from './users.js';

export const ACCESS_LEVELS = ['public', 'session', 'viewer', 'reader', 'client', 'admin'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export type Caller =
  | { kind: 'user'; user: UserRow; session: SessionRow }
  | { kind: 'client'; client: ApiClientRow };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessLevel;
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** One answer for every missing or bad credential, so a caller learns nothing about which tokens exist. */
const unauthenticated = () =>
  new AppError('unauthorized', 'authentication required: log in or send a valid bearer token');

async function resolveCaller(request: FastifyRequest, ctx: AppContext): Promise<Caller | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const client = match?.[1] ? await authenticateApiToken(ctx.db, match[1]) : null;
    if (!client) throw unauthenticated();
    return { kind: 'client', client };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const loaded = await loadSession(ctx.db, cookie, {
    idleMs: ctx.config.access.sessionIdleMs,
    maxMs: ctx.config.access.sessionMaxMs,
  });
  return loaded ? { kind: 'user', user: loaded.user, session: loaded.session } : null;
}

function requireApproved(user: UserRow): void {
  if (user.status === 'pending')
    throw new AppError('forbidden', 'your access is waiting for an admin’s approval');
  if (user.status !== 'approved' || user.is_active !== 1) throw new AppError('forbidden', 'no access');
}

export function makeAccessHook(ctx: AppContext) {
  async function requireCaller(
    request: FastifyRequest,
    reply: FastifyReply,
    access: AccessLevel,
  ): Promise<void> {
    const caller = await resolveCaller(request, ctx);
    request.caller = caller;
    if (caller === null) throw unauthenticated();

    if (caller.kind === 'client') {
      if (access !== 'reader' && access !== 'client')
        throw new AppError('forbidden', 'API clients cannot use this route');
      const limit = await hitRateLimit(
        ctx.db,
        `client:${caller.client.id}`,
        caller.client.rate_limit_per_minute,
        60_000,
      );
      const headers = rateLimitHeaders(limit);
      reply.headers(headers);
      if (!limit.allowed) throw new AppError('rate_limited', 'rate limit exceeded', { headers });
      return;
    }

    if (access === 'client') throw new AppError('forbidden', 'this route is for API clients');
    if (access !== 'session') requireApproved(caller.user);
    if (access === 'admin' && caller.user.role !== 'admin') throw new AppError('forbidden', 'admins only');
    if (UNSAFE.has(request.method) && request.headers[CSRF_HEADER] !== caller.session.csrf_token) {
      throw new AppError('forbidden', 'missing or wrong CSRF token', { field: CSRF_HEADER });
    }
  }

  // Callback style rather than async: public routes (every postback) pass without a promise and
  // a microtask hop per request; the others wait for the caller check.
  return function enforceAccess(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    request.caller = null;
    // An unmatched URL passes: the not-found handler answers it.
    const access = request.routeOptions.url === undefined ? 'public' : request.routeOptions.config.access;
    if (access === 'public') done();
    else if (access === undefined) done(new AppError('forbidden', 'route has no access rule'));
    else requireCaller(request, reply, access).then(() => done(), done);
  };
}

/** The audit actor for a request. */
export function actorOf(request: FastifyRequest): Actor {
  const caller = request.caller;
  if (caller?.kind === 'user')
    return { userId: Number(caller.user.id), label: actorLabel(caller.user), ip: request.ip };
  if (caller?.kind === 'client') return { userId: null, label: `api:${caller.client.name}`, ip: request.ip };
  return { userId: null, label: 'anonymous', ip: request.ip };
}

export function requireUserCaller(request: FastifyRequest): { user: UserRow; session: SessionRow } {
  const caller = request.caller;
  if (caller?.kind !== 'user') throw new AppError('unauthorized', 'log in first');
  return caller;
}

export function requireClientCaller(request: FastifyRequest): ApiClientRow {
  const caller = request.caller;
  if (caller?.kind !== 'client') throw new AppError('unauthorized', 'invalid or missing credentials');
  return caller.client;
}
