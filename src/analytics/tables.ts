/**
 * Table types of the read-side bookkeeping created by migrations 0003, 0006 and 0008 (rollup_daily,
 * rollup_source, rollup_value, rollup_affiliate, rollup_affiliate_dim, rollup_hour, rollup_broken,
 * player_regs, orphan_ftds, rollup_orphan), for `kysely.withTables<AnalyticsTables>()`. Kept beside
 * the queries that read them; the migration is the source of truth. Types only, no I/O.
 */
import type { Kysely } from 'kysely';
import type { Database, Flag, Millis } from '../db/schema.js';

export interface RollupDailyTable {
  /** 'd' = one UTC day, 'w' = one ISO week (Monday 00:00 UTC), 'm' = one UTC calendar month. */
  grain: string;
  bucket_start: Millis;
  brand_id: number;
  source_id: number;
  is_test: Flag;
  type: string;
  /** '' when the events had no amount. */
  currency: string;
  event_count: number;
  amount_micros: number;
  broken_count: number;
  /** Latest event time (occurred_at) and server time (received_at) in the bucket. */
  last_at: Millis;
  last_received_at: Millis;
}

/** Per dimension value, without the affiliate (migration 0006). */
export interface RollupValueTable {
  /** 'tag' | 'geo' | 'origin' (value = sender, value2 = sheet). */
  dim: string;
  /** 'd' | 'w' (ISO week, Monday 00:00 UTC) | 'm'. */
  grain: string;
  bucket_start: Millis;
  value: string;
  value2: string;
  is_test: Flag;
  type: string;
  /** The CPA currency; '' for every other type (only CPA amounts are revenue). */
  currency: string;
  event_count: number;
  /** CPA amounts only. */
  amount_micros: number;
}

/** Per affiliate ('' when the event had none), CPA revenue only (migration 0006). */
export interface RollupAffiliateTable {
  grain: string;
  bucket_start: Millis;
  affiliate_id: string;
  is_test: Flag;
  type: string;
  currency: string;
  event_count: number;
  amount_micros: number;
}

/** One affiliate's breakdowns by 'sub' | 'tag', grains 'd' and 'm' (migration 0006). */
export interface RollupAffiliateDimTable {
  affiliate_id: string;
  dim: string;
  grain: string;
  bucket_start: Millis;
  value: string;
  value2: string;
  is_test: Flag;
  type: string;
  currency: string;
  event_count: number;
  amount_micros: number;
}

/** rollup_hourly without the affiliate, folded in with the derived rollups (migration 0006). */
export interface RollupHourTable {
  hour_start: Millis;
  brand_id: number;
  source_id: number;
  is_test: Flag;
  type: string;
  currency: string;
  event_count: number;
  amount_micros: number;
  broken_count: number;
}

/** Broken-tag groups per day, ISO week and month (migration 0006; broken_daily before it). */
export interface RollupBrokenTable {
  grain: string;
  bucket_start: Millis;
  brand_id: number;
  source_id: number;
  affiliate_id: string;
  sub_id: string;
  macro: string;
  is_test: Flag;
  type: string;
  event_count: number;
  /** The smallest (text order) tracking tag seen in the group: a stable example. */
  sample_tag: string;
  first_at: Millis;
  last_at: Millis;
}

/** rollup_daily without the brand (migration 0006). */
export interface RollupSourceTable {
  grain: string;
  bucket_start: Millis;
  source_id: number;
  is_test: Flag;
  type: string;
  currency: string;
  event_count: number;
  amount_micros: number;
  broken_count: number;
  last_at: Millis;
  last_received_at: Millis;
}

export interface PlayerRegsTable {
  external_uid: string;
  brand_id: number;
  source_id: number;
  first_reg_at: Millis;
}

export interface OrphanFtdsTable {
  event_id: number;
  brand_id: number;
  source_id: number;
  external_uid: string | null;
  occurred_at: Millis;
  is_test: Flag;
}

/** Orphan FTDs counted per brand × source × test flag and day / ISO week / month (migration 0008). */
export interface RollupOrphanTable {
  grain: string;
  bucket_start: Millis;
  brand_id: number;
  source_id: number;
  is_test: Flag;
  orphan_count: number;
}

export type AnalyticsTables = {
  rollup_daily: RollupDailyTable;
  rollup_value: RollupValueTable;
  rollup_affiliate: RollupAffiliateTable;
  rollup_affiliate_dim: RollupAffiliateDimTable;
  rollup_hour: RollupHourTable;
  rollup_broken: RollupBrokenTable;
  rollup_source: RollupSourceTable;
  player_regs: PlayerRegsTable;
  orphan_ftds: OrphanFtdsTable;
  rollup_orphan: RollupOrphanTable;
};

export type AnalyticsDb = Kysely<Database & AnalyticsTables>;

/** The same connection, typed with the read-side tables too. */
export function withAnalyticsTables(db: Kysely<Database>): AnalyticsDb {
  return db.withTables<AnalyticsTables>();
}
