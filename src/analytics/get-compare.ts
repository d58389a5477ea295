/**
 * Compare: every count and the revenue per currency for the current and the previous range, with
 * the absolute and % change ("new" when the previous value is 0 and the current is not), and the
 * three rates with their change in percentage points. Two rollup reads; never scans events.
 */
import type { Db } from '../db/connect.js';
import { EVENT_TYPES } from '../domain.js';
import { formatMicros } from '../ingest/normalise/amount.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { readTotals } from './get-summary.js';
import { ratio } from './metrics.js';
import type { Comparison } from './periods.js';

export type PctChange = number | 'new' | null;

export interface CompareResult {
  mode: Comparison['mode'];
  like_for_like: boolean;
  current: { from: string; to: string };
  previous: { from: string; to: string };
  metrics: Array<{
    metric: string;
    current: number;
    previous: number;
    change: number;
    change_pct: PctChange;
  }>;
  revenue: Array<{
    currency: string;
    current: string;
    previous: string;
    change: string;
    change_pct: PctChange;
  }>;
  rates: Array<{
    rate: 'click_to_reg' | 'reg_to_ftd' | 'reg_to_cpa';
    current: number | null;
    previous: number | null;
    change_pp: number | null;
    threshold: number;
  }>;
}

/** % change from previous to current: null when both are 0, "new" when only previous is 0. */
export function pctChange(current: number, previous: number): PctChange {
  if (previous === 0) return current === 0 ? null : 'new';
  return ((current - previous) / previous) * 100;
}

const iso = (t: number) => new Date(t).toISOString();

export async function getCompare(
  db: Db,
  cmp: Comparison,
  filters: Filters,
  settings: AnalyticsSettings,
): Promise<CompareResult> {
  const cur = await readTotals(db, cmp.current.from, cmp.current.to, filters);
  const prev = await readTotals(db, cmp.previous.from, cmp.previous.to, filters);
  const currencies = [...new Set([...cur.revenue.keys(), ...prev.revenue.keys()])].sort();
  const rateDefs = [
    ['click_to_reg', 'REG', 'CLICK', settings.thresholds.clickToReg],
    ['reg_to_ftd', 'FTD', 'REG', settings.thresholds.regToFtd],
    ['reg_to_cpa', 'CPA', 'REG', settings.thresholds.regToCpa],
  ] as const;
  return {
    mode: cmp.mode,
    like_for_like: cmp.likeForLike,
    current: { from: iso(cmp.current.from), to: iso(cmp.current.to) },
    previous: { from: iso(cmp.previous.from), to: iso(cmp.previous.to) },
    metrics: EVENT_TYPES.map((type) => ({
      metric: type,
      current: cur.counts[type],
      previous: prev.counts[type],
      change: cur.counts[type] - prev.counts[type],
      change_pct: pctChange(cur.counts[type], prev.counts[type]),
    })),
    revenue: currencies
      .map((currency) => {
        const c = cur.revenue.get(currency) ?? 0n;
        const p = prev.revenue.get(currency) ?? 0n;
        return {
          currency,
          current: formatMicros(c),
          previous: formatMicros(p),
          change: formatMicros(c - p),
          change_pct: pctChange(Number(c), Number(p)),
        };
      })
      .filter((r) => r.current !== '0' || r.previous !== '0'),
    rates: rateDefs.map(([rate, num, den, threshold]) => {
      const c = ratio(cur.counts[num], cur.counts[den]);
      const p = ratio(prev.counts[num], prev.counts[den]);
      return {
        rate,
        current: c,
        previous: p,
        change_pp: c === null || p === null ? null : (c - p) * 100,
        threshold,
      };
    }),
  };
}
