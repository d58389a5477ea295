/**
 * Builds a real AFFPanel (context + server) on a fresh database of the kind under test, with one
 * source per built-in template whose keys the test can use. Drive it with `app.inject`.
 */
import type { FastifyInstance } from 'fastify';
import { type Config, parseConfig } from '../../src/config.js';
import { type AppContext, createContext } from '../../src/context.js';
import type { SourceRow } from '../../src/db/schema.js';
import { buildServer } from '../../src/server.js';
import { createSource, type SourceInput, seedBuiltInSources } from '../../src/sources/source-service.js';
import { createTestDatabaseUrl } from './database-url.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  config: Config;
  sources: Map<string, SourceRow>;
  /** A bearer token that may read /api/v1 and post events. */
  apiToken: string;
  addSource(input: SourceInput): Promise<SourceRow>;
  /** Stops the server (flushing writes) but keeps the database for inspection. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_API_TOKEN = 'test-api-token-0123456789abcdef';

export async function createTestApp(name: string, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabaseUrl(name);
  const config = parseConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    API_TOKEN: TEST_API_TOKEN,
    INGEST_FLUSH_MS: '2',
    ...env,
  });
  const ctx = await createContext(config);
  const app = await buildServer(ctx, { logger: false });
  const sources = new Map<string, SourceRow>();
  for (const row of await seedBuiltInSources(ctx.db)) sources.set(row.slug, row);
  await ctx.sources.refresh();
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
    apiToken: TEST_API_TOKEN,
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
