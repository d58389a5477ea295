/**
 * Opening and closing what a command works on. Every command reads the configuration through a
 * ConfigLoader (the environment and `.env` by default; tests pass their own) and closes the
 * context it opened, whether it succeeded or not, so pending writes are flushed.
 */
import { type Config, loadConfig } from '../config.js';
import { type AppContext, type ContextOptions, createContext } from '../context.js';
import { connect, type Db } from '../db/connect.js';

export type ConfigLoader = () => Config;

export const defaultConfig: ConfigLoader = () => loadConfig();

export async function withContext<T>(
  getConfig: ConfigLoader,
  run: (ctx: AppContext) => Promise<T>,
  options: ContextOptions = {},
): Promise<T> {
  const ctx = await createContext(getConfig(), options);
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * A bare connection, closed afterwards, for commands that must not open the full context: it
 * migrates and checks the database as it opens, which is what `migrate` reports on and what
 * `rollups rebuild` repairs.
 */
export async function withConnection<T>(getConfig: ConfigLoader, run: (db: Db) => Promise<T>): Promise<T> {
  const config = getConfig();
  const db = connect(config.databaseUrl, { busyTimeoutMs: config.sqliteBusyTimeoutMs });
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}
