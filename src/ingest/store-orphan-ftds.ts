/**
 * Orphan-FTD bookkeeping in the batch's transaction: each player's first registration
 * (player_regs, per external uid × brand × source) and the FTDs that have no registration at or
 * before their own time (orphan_ftds). A registration arriving late, dated before an FTD already
 * flagged, clears the flag. An FTD without a player id can never be matched and is an orphan.
 * Every flag set or cleared moves the per-day, week and month counts of rollup_orphan by one.
 * Never scans events: every lookup goes through the player id.
 */
import type { Kysely } from 'kysely';
import { type AnalyticsDb, withAnalyticsTables } from '../analytics/tables.js';
import { type CounterTable, upsertCounters, type WriteTarget } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import type { FoldedEvent } from './folded-event.js';
import { ORPHAN_COUNTS, type OrphanChange, orphanCountRows } from './orphan-counts.js';

const PLAYER_REGS: CounterTable = {
  table: 'player_regs',
  columns: [
    { name: 'external_uid', kind: 'text', merge: 'key' },
    { name: 'brand_id', kind: 'int', merge: 'key' },
    { name: 'source_id', kind: 'int', merge: 'key' },
    { name: 'first_reg_at', kind: 'int', merge: 'min' },
  ],
};

const CHUNK = 500;

const playerKey = (uid: string, brandId: number, sourceId: number) =>
  `${uid}\u0001${brandId}\u0001${sourceId}`;

/** Records the batch's registrations and flags (or clears) orphan FTDs. */
export async function storeOrphanFtds(
  trx: Kysely<Database>,
  target: WriteTarget,
  events: FoldedEvent[],
): Promise<void> {
  const db = withAnalyticsTables(trx);
  const firstReg = new Map<string, { uid: string; brandId: number; sourceId: number; at: number }>();
  const ftds: FoldedEvent[] = [];
  for (const e of events) {
    if (e.type === 'FTD') ftds.push(e);
    else if (e.type === 'REG' && e.external_uid !== null && e.external_uid !== undefined) {
      const key = playerKey(e.external_uid, e.brand_id, e.source_id);
      const seen = firstReg.get(key);
      if (!seen || e.occurred_at < seen.at)
        firstReg.set(key, {
          uid: e.external_uid,
          brandId: e.brand_id,
          sourceId: e.source_id,
          at: e.occurred_at,
        });
    }
  }
  if (firstReg.size === 0 && ftds.length === 0) return;
  const counts: OrphanChange[] = [];

  if (firstReg.size > 0) {
    const regs = [...firstReg.values()];
    await upsertCounters(
      trx,
      target,
      PLAYER_REGS,
      regs.map((r) => [r.uid, r.brandId, r.sourceId, r.at]),
    );
    // FTDs flagged earlier whose registration has just arrived (dated at or before them).
    const uids = [...new Set(regs.map((r) => r.uid))];
    const cleared: number[] = [];
    for (let i = 0; i < uids.length; i += CHUNK) {
      const flagged = await db
        .selectFrom('orphan_ftds')
        .select(['event_id', 'external_uid', 'brand_id', 'source_id', 'occurred_at', 'is_test'])
        .where('external_uid', 'in', uids.slice(i, i + CHUNK))
        .execute();
      for (const o of flagged) {
        const reg = firstReg.get(playerKey(o.external_uid ?? '', Number(o.brand_id), Number(o.source_id)));
        if (reg && reg.at <= Number(o.occurred_at)) {
          cleared.push(Number(o.event_id));
          counts.push({
            occurredAt: Number(o.occurred_at),
            brandId: Number(o.brand_id),
            sourceId: Number(o.source_id),
            isTest: Number(o.is_test),
            delta: -1,
          });
        }
      }
    }
    for (let i = 0; i < cleared.length; i += CHUNK) {
      await db
        .deleteFrom('orphan_ftds')
        .where('event_id', 'in', cleared.slice(i, i + CHUNK))
        .execute();
    }
  }

  if (ftds.length > 0) await flagOrphans(db, ftds, counts);
  await upsertCounters(trx, target, ORPHAN_COUNTS, orphanCountRows(counts));
}

/** Flags the FTDs with no registration at or before them, and notes each for the counts. */
async function flagOrphans(db: AnalyticsDb, ftds: FoldedEvent[], counts: OrphanChange[]): Promise<void> {
  const regAt = new Map<string, number>();
  const uids = [...new Set(ftds.flatMap((f) => (f.external_uid ? [f.external_uid] : [])))];
  for (let i = 0; i < uids.length; i += CHUNK) {
    const found = await db
      .selectFrom('player_regs')
      .select(['external_uid', 'brand_id', 'source_id', 'first_reg_at'])
      .where('external_uid', 'in', uids.slice(i, i + CHUNK))
      .execute();
    for (const r of found)
      regAt.set(playerKey(r.external_uid, Number(r.brand_id), Number(r.source_id)), Number(r.first_reg_at));
  }
  const orphans = ftds.filter((f) => {
    if (!f.external_uid) return true;
    const at = regAt.get(playerKey(f.external_uid, f.brand_id, f.source_id));
    return at === undefined || at > f.occurred_at;
  });
  for (let i = 0; i < orphans.length; i += CHUNK) {
    await db
      .insertInto('orphan_ftds')
      .values(
        orphans.slice(i, i + CHUNK).map((f) => ({
          event_id: f.id,
          brand_id: f.brand_id,
          source_id: f.source_id,
          external_uid: f.external_uid ?? null,
          occurred_at: f.occurred_at,
          is_test: f.is_test,
        })),
      )
      .execute();
  }
  for (const f of orphans)
    counts.push({
      occurredAt: f.occurred_at,
      brandId: f.brand_id,
      sourceId: f.source_id,
      isTest: f.is_test,
      delta: 1,
    });
}
