/**
 * Summary (Dashboard and Stats KPI cards): the six type counts, CPA revenue per currency (and in
 * the base currency when an admin has set rates), the three rates with their threshold colour.
 * Served from the rollups; never scans events.
 */
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import {
  addToTotals,
  baseRevenue,
  emptyTotals,
  type Rates,
  rates,
  revenueList,
  type Totals,
} from './metrics.js';
import { readRollups } from './read-rollups.js';

export interface Summary {
  counts: Totals['counts'];
  revenue: Array<{ currency: string; amount: string }>;
  revenue_base: { currency: string; amount: string; missing: string[] } | null;
  rates: Rates;
}

export async function readTotals(db: Db, from: number, to: number, filters: Filters): Promise<Totals> {
  const totals = emptyTotals();
  for (const r of await readRollups(db, { from, to, filters, groupBy: [] }))
    addToTotals(totals, r.type, r.currency, r.count, r.amount);
  return totals;
}

export function summaryOf(totals: Totals, settings: AnalyticsSettings): Summary {
  return {
    counts: totals.counts,
    revenue: revenueList(totals.revenue),
    revenue_base: baseRevenue(totals.revenue, settings.fx),
    rates: rates(totals.counts, settings.thresholds),
  };
}

export async function getSummary(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  settings: AnalyticsSettings,
): Promise<Summary> {
  return summaryOf(await readTotals(db, range.from, range.to, filters), settings);
}
