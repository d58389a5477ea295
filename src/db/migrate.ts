/**
 * Applies the numbered, forward-only migrations in order under Kysely's migration lock.
 * Run on every start and by `affpanel migrate`. Migrations are listed here statically so the
 * built server needs no file-system scan.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db, DialectName } from './connect.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_access.js';
import * as m0003 from './migrations/0003_analytics.js';
import * as m0004 from './migrations/0004_rollup_queue.js';
import * as m0005 from './migrations/0005_bots.js';
import * as m0006 from './migrations/0006_rollup_shapes.js';
import * as m0007 from './migrations/0007_events_tag.js';
import * as m0008 from './migrations/0008_rollup_orphan.js';
import * as m0009 from './migrations/0009_rollups_file.js';
import * as m0010 from './migrations/0010_older_key.js';

export interface MigrationContext {
  dialect: DialectName;
}

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

export const MIGRATIONS: Readonly<Record<string, MigrationModule>> = {
  '0001_initial': m0001,
  '0002_access': m0002,
  '0003_analytics': m0003,
  '0004_rollup_queue': m0004,
  '0005_bots': m0005,
  '0006_rollup_shapes': m0006,
  '0007_events_tag': m0007,
  '0008_rollup_orphan': m0008,
  '0009_rollups_file': m0009,
  '0010_older_key': m0010,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => mod.up(db, this.ctx) };
    }
    return out;
  }
}

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1) ?? '';

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider({ dialect: db.dialect }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (used by /readyz). */
export async function isMigrated(db: Db): Promise<boolean> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider({ dialect: db.dialect }) });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
