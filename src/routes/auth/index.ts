/**
 * Logging in and out: the Telegram Login Widget (redirect callback or JSON), the one-time login
 * link, who am I, and logout. Every login creates a fresh session (rotation) and ends the one the
 * browser came with; login endpoints are rate-limited per client address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../access/audit.js';
import { requireUserCaller } from '../../access/guards.js';
import { consumeLoginLink } from '../../access/login-links.js';
import { hitRateLimit, rateLimitHeaders } from '../../access/rate-limit.js';
import { createSession, endSession, SESSION_COOKIE } from '../../access/sessions.js';
import { verifyTelegramLogin } from '../../access/telegram-login.js';
import { actorLabel, getUser, publicUser, userForTelegramLogin } from '../../access/users.js';
import type { AppContext } from '../../context.js';
import type { UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';

const telegramFields = z.record(z.string(), z.string().max(512));

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const policy = { idleMs: ctx.config.access.sessionIdleMs, maxMs: ctx.config.access.sessionMaxMs };
  const secureCookie = ctx.config.publicBaseUrl.startsWith('https://');

  async function limitLogin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const result = await hitRateLimit(
      ctx.db,
      `login:${request.ip}`,
      ctx.config.access.loginRatePerMinute,
      60_000,
    );
    reply.headers(rateLimitHeaders(result));
    if (!result.allowed)
      throw new AppError('rate_limited', 'too many login attempts, wait a minute', {
        headers: rateLimitHeaders(result),
      });
  }

  async function logFailure(request: FastifyRequest, method: string, reason: string): Promise<void> {
    await recordAudit(
      ctx.db.kysely,
      { userId: null, label: 'anonymous', ip: request.ip },
      {
        action: 'login.failure',
        targetType: 'session',
        after: { method, reason },
      },
    );
  }

  async function startSession(request: FastifyRequest, reply: FastifyReply, user: UserRow, method: string) {
    if (user.is_active !== 1 || user.status === 'rejected') {
      const reason = user.is_active !== 1 ? 'this account is deactivated' : 'access was refused by an admin';
      await logFailure(request, method, `${reason} (user ${user.id})`);
      throw new AppError('forbidden', reason);
    }
    const previous = request.cookies[SESSION_COOKIE];
    if (previous) await endSession(ctx.db, previous);
    const now = Date.now();
    const session = await createSession(
      ctx.db,
      Number(user.id),
      { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
      policy,
      now,
    );
    await ctx.db.kysely.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    await recordAudit(
      ctx.db.kysely,
      { userId: Number(user.id), label: actorLabel(user), ip: request.ip },
      {
        action: 'login.success',
        targetType: 'user',
        targetId: user.id,
        after: { method },
      },
    );
    reply.setCookie(SESSION_COOKIE, session.id, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookie || request.protocol === 'https',
      maxAge: Math.floor(policy.maxMs / 1000),
    });
    return session;
  }

  async function telegramLogin(request: FastifyRequest, reply: FastifyReply, data: Record<string, string>) {
    await limitLogin(request, reply);
    const botToken = ctx.config.access.telegramBotToken;
    if (!botToken) throw new AppError('not_found', 'Telegram login is not configured');
    const check = verifyTelegramLogin(data, botToken, ctx.config.access.telegramMaxAgeSeconds, new Date());
    if (!check.ok) {
      await logFailure(request, 'telegram', check.reason);
      throw new AppError('unauthorized', check.reason);
    }
    // A given login hash is accepted once: a replayed widget answer cannot open a second session.
    const fresh = await ctx.db.kysely
      .insertInto('telegram_login_hashes')
      .values({ hash: check.identity.hash, used_at: Date.now() })
      .onConflict((oc) => oc.column('hash').doNothing())
      .returning('hash')
      .executeTakeFirst();
    if (!fresh) {
      await logFailure(request, 'telegram', 'login data already used');
      throw new AppError('unauthorized', 'login data already used, log in again');
    }
    const user = await userForTelegramLogin(ctx.db, check.identity);
    const session = await startSession(request, reply, user, 'telegram');
    return { user: await getUser(ctx.db, Number(user.id)), session };
  }

  app.get('/api/auth/config', { config: { access: 'public' } }, async () => ({
    telegramBotName: ctx.config.access.telegramBotName,
  }));

  app.get('/auth/telegram/callback', { config: { access: 'public' } }, async (request, reply) => {
    const parsed = telegramFields.safeParse(request.query);
    if (!parsed.success) {
      await limitLogin(request, reply);
      throw new AppError('bad_request', 'login data must be single fields of at most 512 characters');
    }
    await telegramLogin(request, reply, parsed.data);
    return reply.redirect('/', 303);
  });

  app.post('/api/auth/telegram', { config: { access: 'public' } }, async (request, reply) => {
    const parsed = telegramFields.safeParse(request.body);
    if (!parsed.success) throw new AppError('bad_request', 'login data must be an object of strings');
    const { user, session } = await telegramLogin(request, reply, parsed.data);
    return { user: publicUser(user), csrfToken: session.csrfToken };
  });

  app.get<{ Params: { token: string } }>(
    '/auth/link/:token',
    { config: { access: 'public' } },
    async (request, reply) => {
      await limitLogin(request, reply);
      const userId = await consumeLoginLink(ctx.db, request.params.token);
      if (userId === null) {
        await logFailure(request, 'link', 'unknown, used or expired link');
        throw new AppError('unauthorized', 'this login link is unknown, used or expired');
      }
      await startSession(request, reply, await getUser(ctx.db, userId), 'link');
      return reply.redirect('/', 303);
    },
  );

  app.get('/api/auth/me', { config: { access: 'session' } }, async (request) => {
    const { user, session } = requireUserCaller(request);
    return { user: publicUser(user), csrfToken: session.csrf_token };
  });

  app.post('/api/auth/logout', { config: { access: 'session' } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await endSession(ctx.db, cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { status: 'logged out' };
  });
}
