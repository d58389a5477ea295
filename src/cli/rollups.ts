/**
 * `affpanel rollups rebuild`: counts every event again into a new SQLite rollups file, for when
 * the server refuses to start because that file is missing or comes from another backup than the
 * database (see src/db/rollups-file.ts). Stop the server first. Opens a bare connection: the full
 * context checks the rollups file as it opens, which is what this command repairs.
 */
import { migrateToLatest } from '../db/migrate.js';
import { rebuildRollupsFile } from '../db/rollups-file.js';
import { EXIT_OK } from './errors.js';
import type { Output } from './output.js';
import { type ConfigLoader, defaultConfig, withConnection } from './with-context.js';

export async function rollupsRebuildCommand(
  _options: Record<string, never>,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  return withConnection(getConfig, async (db) => {
    await migrateToLatest(db);
    const started = Date.now();
    output.err('Counting every stored event into a new rollups file...');
    const events = await rebuildRollupsFile(db);
    output.out(
      `Rebuilt the rollups from ${events} events in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    return EXIT_OK;
  });
}
