/**
 * The metric arithmetic, pure: counts per type, revenue per currency (exact, bigint micro-units
 * formatted as decimal strings), the three conversion rates (null for a zero denominator, never
 * NaN or Infinity) with their threshold colour, and base-currency totals from admin-set rates.
 */
import { EVENT_TYPES, type EventType } from '../domain.js';
import { formatMicros } from '../ingest/normalise/amount.js';
import type { AnalyticsSettings } from './get-settings.js';

export type Counts = Record<EventType, number>;

export function zeroCounts(): Counts {
  return { CLICK: 0, REG: 0, FTD: 0, DEP: 0, REDEP: 0, CPA: 0 };
}

/** Totals of one row of any table: counts per type and CPA revenue per currency (micro-units). */
export interface Totals {
  counts: Counts;
  revenue: Map<string, bigint>;
}

export function emptyTotals(): Totals {
  return { counts: zeroCounts(), revenue: new Map() };
}

/** Adds one aggregated rollup row (type, currency, count, amount) to totals. */
export function addToTotals(t: Totals, type: string, currency: string, count: number, amount: bigint): void {
  if (!(EVENT_TYPES as readonly string[]).includes(type)) return;
  t.counts[type as EventType] += count;
  if (type === 'CPA' && currency !== '') t.revenue.set(currency, (t.revenue.get(currency) ?? 0n) + amount);
}

export function mergeTotals(into: Totals, from: Totals): void {
  for (const type of EVENT_TYPES) into.counts[type] += from.counts[type];
  for (const [c, a] of from.revenue) into.revenue.set(c, (into.revenue.get(c) ?? 0n) + a);
}

export interface Money {
  currency: string;
  amount: string;
}

/** Revenue per currency, sorted by currency code, zero amounts left out. */
export function revenueList(revenue: Map<string, bigint>): Money[] {
  return [...revenue.entries()]
    .filter(([, a]) => a !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, amount]) => ({ currency, amount: formatMicros(amount) }));
}

export type RateColour = 'green' | 'red' | null;

export interface Rate {
  value: number | null;
  threshold: number;
  colour: RateColour;
}

export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function rate(numerator: number, denominator: number, threshold: number): Rate {
  const value = ratio(numerator, denominator);
  return { value, threshold, colour: value === null ? null : value >= threshold ? 'green' : 'red' };
}

export interface Rates {
  click_to_reg: Rate;
  reg_to_ftd: Rate;
  reg_to_cpa: Rate;
}

/** Green at or above the threshold, red below, null colour when the rate is undefined. */
export function rates(c: Counts, s: AnalyticsSettings['thresholds']): Rates {
  return {
    click_to_reg: rate(c.REG, c.CLICK, s.clickToReg),
    reg_to_ftd: rate(c.FTD, c.REG, s.regToFtd),
    reg_to_cpa: rate(c.CPA, c.REG, s.regToCpa),
  };
}

/** Plain rate values (no colour), for table rows. */
export function rateValues(c: Counts): {
  click_to_reg: number | null;
  reg_to_ftd: number | null;
  reg_to_cpa: number | null;
} {
  return {
    click_to_reg: ratio(c.REG, c.CLICK),
    reg_to_ftd: ratio(c.FTD, c.REG),
    reg_to_cpa: ratio(c.CPA, c.REG),
  };
}

function rateMicros(rate: string): bigint {
  const [i = '0', f = ''] = rate.split('.');
  return BigInt(i) * 1_000_000n + BigInt(f.padEnd(6, '0'));
}

/**
 * Revenue converted to the base currency with the admin's rates, rounded half up to the
 * micro-unit; null when no rates are set or a currency present has no rate (never guessed).
 */
export function baseRevenue(
  revenue: Map<string, bigint>,
  fx: AnalyticsSettings['fx'],
): { currency: string; amount: string; missing: string[] } | null {
  if (!fx) return null;
  let total = 0n;
  const missing: string[] = [];
  for (const [currency, micros] of revenue) {
    const r = fx.rates[currency];
    if (r === undefined) {
      if (micros !== 0n) missing.push(currency);
      continue;
    }
    total += (micros * rateMicros(r) + 500_000n) / 1_000_000n;
  }
  return {
    currency: fx.base,
    amount: missing.length > 0 ? '' : formatMicros(total),
    missing: missing.sort(),
  };
}

export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+\.0*$/.test(value)) return BigInt(value.split('.')[0] ?? '0');
  return 0n;
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  return 0;
}
