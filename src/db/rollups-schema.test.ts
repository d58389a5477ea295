import { describe, expect, it } from 'vitest';
import { rollupsPathFor } from './connect.js';
import { inRollupsSchema } from './migrations/0009_rollups_file.js';

describe('rollupsPathFor', () => {
  it('puts the rollups file beside the database, before its extension', () => {
    expect(rollupsPathFor('/srv/data/affpanel.db')).toBe('/srv/data/affpanel.rollups.db');
    expect(rollupsPathFor('/srv/data/affpanel.sqlite3')).toBe('/srv/data/affpanel.rollups.sqlite3');
    expect(rollupsPathFor('/srv/data/affpanel')).toBe('/srv/data/affpanel.rollups');
    expect(rollupsPathFor('/srv/v1.2/affpanel')).toBe('/srv/v1.2/affpanel.rollups');
    expect(rollupsPathFor(':memory:')).toBe(':memory:');
  });
});

describe('inRollupsSchema (migration 0009)', () => {
  it('aims stored table and index definitions at the rollups file', () => {
    expect(inRollupsSchema('CREATE TABLE "rollup_daily" ("grain" text not null) WITHOUT ROWID')).toBe(
      'CREATE TABLE rollups."rollup_daily" ("grain" text not null) WITHOUT ROWID',
    );
    expect(inRollupsSchema('CREATE TABLE rollup_orphan (grain text not null)')).toBe(
      'CREATE TABLE rollups."rollup_orphan" (grain text not null)',
    );
    expect(inRollupsSchema('CREATE INDEX "orphan_ftds_uid" on "orphan_ftds" ("external_uid")')).toBe(
      'CREATE INDEX rollups."orphan_ftds_uid" on "orphan_ftds" ("external_uid")',
    );
    expect(inRollupsSchema('create unique index rollup_source_last on rollup_source (source_id)')).toBe(
      'create unique index rollups."rollup_source_last" on rollup_source (source_id)',
    );
  });

  it('refuses what it does not recognise instead of guessing', () => {
    expect(() => inRollupsSchema('CREATE VIEW v AS SELECT 1')).toThrow(/cannot move/);
  });
});
