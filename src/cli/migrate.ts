/**
 * `affpanel migrate`: brings the database schema up to date and says which migrations it applied.
 * The server (and every other command) migrates on start as well; this is for deploy scripts that
 * want it as a separate step. It opens a bare connection rather than a full context, because the
 * context migrates as it opens and would leave nothing to report.
 */
import { LATEST_MIGRATION, migrateToLatest } from '../db/migrate.js';
import { EXIT_OK } from './errors.js';
import type { Output } from './output.js';
import { type ConfigLoader, defaultConfig, withConnection } from './with-context.js';

export type MigrateOptions = Record<string, never>;

export async function migrateCommand(
  _options: MigrateOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withConnection(getConfig, async (db) => {
    const applied = await migrateToLatest(db);
    if (applied.length === 0) {
      output.out(`Database (${db.dialect}) is up to date: latest migration ${LATEST_MIGRATION}.`);
    } else {
      output.out(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} (${db.dialect}):`);
      for (const name of applied) output.out(`  ${name}`);
    }
    return EXIT_OK;
  });
}
