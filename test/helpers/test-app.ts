/**
 * Builds a real AFFPanel (context + server) on a fresh database of the kind under test, with one
 * source per built-in template whose keys the test can use. Drive it with `app.inject`.
 */
import type { FastifyInstance } from 'fastify';
import { createApiClient } from '../../src/access/api-clients.js';
import { createSession, SESSION_COOKIE } from '../../src/access/sessions.js';
import { type Config, parseConfig } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import type { Role, SourceRow, UserStatus } from '../../src/db/schema.js';
import { buildServer } from '../../src/server.js';
import { createSource, type SourceInput, seedBuiltInSources } from '../../src/sources/source-service.js';
import { createTestDatabaseUrl } from './database-url.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  sources: Map<string, SourceRow>;
  /** A bearer token (of an API client named `test-client`) that may read /api/v1 and post events. */
  apiToken: string;
  /** Creates a user and a session for it; returns the headers a browser would send. */
  loginAs(options?: {
    role?: Role;
    status?: UserStatus;
    isActive?: boolean;
    telegramId?: string;
  }): Promise<LoggedIn>;
  addSource(input: SourceInput): Promise<SourceRow>;
  /** Stops the server (flushing writes) but keeps the database for inspection. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface LoggedIn {
  userId: number;
  cookie: string;
  csrfToken: string;
  /** Cookie plus CSRF header: enough for any request, safe or not. */
  headers: Record<string, string>;
}

let userCounter = 0;

export async function createTestApp(name: string, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabaseUrl(name);
  const config = parseConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    INGEST_FLUSH_MS: '2',
    // Exact figures in every test, however slow the machine: a read waits for the whole fold.
    READ_CATCH_UP_MS: '60000',
    ...env,
  });
  const ctx = await createContext(config);
  const app = await buildServer(ctx, { logger: false });
  const sources = new Map<string, SourceRow>();
  for (const row of await seedBuiltInSources(ctx.db)) sources.set(row.slug, row);
  await ctx.sources.refresh();
  const { token: apiToken } = await createApiClient(
    ctx.db,
    { name: 'test-client', rateLimitPerMinute: 100_000 },
    null,
  );
  let closed = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    ctx,
    config,
    sources,
    apiToken,
    async loginAs(options = {}) {
      const now = Date.now();
      userCounter++;
      const user = await ctx.db.kysely
        .insertInto('users')
        .values({
          telegram_id:
            options.telegramId ?? String(9_000_000 + userCounter * 7 + Math.floor(Math.random() * 7)),
          first_name: `Test${userCounter}`,
          last_name: 'User',
          username: `test_user_${userCounter}_${Math.floor(Math.random() * 1e6)}`,
          photo_url: null,
          role: options.role ?? 'viewer',
          status: options.status ?? 'approved',
          is_active: options.isActive === false ? 0 : 1,
          created_at: now,
          updated_at: now,
          last_login_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const session = await createSession(
        ctx.db,
        Number(user.id),
        { ip: '127.0.0.1', userAgent: 'test' },
        { idleMs: config.access.sessionIdleMs, maxMs: config.access.sessionMaxMs },
      );
      const cookie = `${SESSION_COOKIE}=${session.id}`;
      return {
        userId: Number(user.id),
        cookie,
        csrfToken: session.csrfToken,
        headers: { cookie, 'x-csrf-token': session.csrfToken },
      };
    },
    async addSource(input) {
      const row = await createSource(ctx.db, input);
      sources.set(row.slug, row);
      await ctx.sources.refresh();
      return row;
    },
    stop,
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await database.drop();
    },
  };
}

/** The key of a seeded source, for building postback URLs. */
export function keyOf(t: TestApp, slug: string): string {
  const row = t.sources.get(slug);
  if (!row) throw new Error(`no test source ${slug}`);
  return row.secret_key;
}

export function query(params: Record<string, string | number>): string {
  return new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
}
