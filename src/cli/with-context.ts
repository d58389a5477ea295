/**
 * Opening and closing what a command works on. Every command reads the configuration through a
 * ConfigLoader (the environment and `.env` by default; tests pass their own) and closes the
 * context it opened, whether it succeeded or not, so pending writes are flushed.
 */
import { type Config, loadConfig } from '../config.js';
import { type AppContext, type ContextOptions, createContext } from '../context.js';

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
