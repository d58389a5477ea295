/**
 * The analytics settings (metric thresholds, the suspicious-deal rule, the export row limit, FX
 * rates for a base-currency revenue total), read from the `settings` table with defaults in code.
 * A malformed stored value falls back to its default rather than breaking every page. The bounds
 * below are shared with the admin API (`routes/admin/settings.ts`), so what it accepts is exactly
 * what is read back. Read on every request, never cached: a saved change shows at once.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { parseCurrency } from '../ingest/normalise/currency.js';

export interface AnalyticsSettings {
  thresholds: { clickToReg: number; regToFtd: number; regToCpa: number };
  suspiciousRatio: number;
  suspiciousMinReg: number;
  exportRowLimit: number;
  /** Base currency and exact decimal rates (units of base per unit of currency), or null. */
  fx: { base: string; rates: Record<string, string> } | null;
}

export const SETTING_KEYS = {
  clickToReg: 'metrics.threshold.click_reg',
  regToFtd: 'metrics.threshold.reg_ftd',
  regToCpa: 'metrics.threshold.reg_cpa',
  suspiciousRatio: 'deals.suspicious_ratio',
  suspiciousMinReg: 'deals.suspicious_min_reg',
  exportRowLimit: 'exports.row_limit',
  fxBase: 'fx.base_currency',
  fxRates: 'fx.rates',
} as const;

export const DEFAULT_SETTINGS: AnalyticsSettings = {
  thresholds: { clickToReg: 0.05, regToFtd: 0.2, regToCpa: 0.1 },
  suspiciousRatio: 0.25,
  suspiciousMinReg: 20,
  exportRowLimit: 1_000_000,
  fx: null,
};

/** Inclusive bounds of each editable number (the suspicious ratio's minimum is exclusive). */
export const SETTING_BOUNDS = {
  threshold: { min: 0, max: 1 },
  suspiciousRatio: { min: 0, max: 1 },
  suspiciousMinReg: { min: 1, max: 1_000_000 },
  /** At most one XLSX sheet: 1,048,576 rows including the header. */
  exportRowLimit: { min: 100, max: 1_048_575 },
} as const;

/** An exact FX rate: up to 12 integer digits and 6 decimals (what the revenue sum computes with). */
export const FX_RATE_RE = /^\d{1,12}(\.\d{1,6})?$/;
export const MAX_FX_CURRENCIES = 200;

function num(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

function parseFx(base: string | undefined, rates: string | undefined): AnalyticsSettings['fx'] {
  if (!base || !/^[A-Z]{3}$/.test(base) || !rates) return null;
  try {
    const parsed: unknown = JSON.parse(rates);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const out: Record<string, string> = { [base]: '1' };
    for (const [code, rate] of Object.entries(parsed)) {
      if (/^[A-Z]{3}$/.test(code) && typeof rate === 'string' && FX_RATE_RE.test(rate)) out[code] = rate;
    }
    return { base, rates: out };
  } catch {
    return null;
  }
}

export async function getSettings(db: Kysely<Database>): Promise<AnalyticsSettings> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', Object.values(SETTING_KEYS))
    .execute();
  const v = new Map(rows.map((r) => [r.key, r.value]));
  const d = DEFAULT_SETTINGS;
  const b = SETTING_BOUNDS;
  const threshold = (key: string, fallback: number) =>
    num(v.get(key), fallback, b.threshold.min, b.threshold.max);
  const count = (key: string, fallback: number, bounds: { min: number; max: number }) =>
    Math.trunc(num(v.get(key), fallback, bounds.min, bounds.max));
  return {
    thresholds: {
      clickToReg: threshold(SETTING_KEYS.clickToReg, d.thresholds.clickToReg),
      regToFtd: threshold(SETTING_KEYS.regToFtd, d.thresholds.regToFtd),
      regToCpa: threshold(SETTING_KEYS.regToCpa, d.thresholds.regToCpa),
    },
    suspiciousRatio: num(v.get(SETTING_KEYS.suspiciousRatio), d.suspiciousRatio, 0, b.suspiciousRatio.max),
    suspiciousMinReg: count(SETTING_KEYS.suspiciousMinReg, d.suspiciousMinReg, b.suspiciousMinReg),
    exportRowLimit: count(SETTING_KEYS.exportRowLimit, d.exportRowLimit, b.exportRowLimit),
    fx: parseFx(v.get(SETTING_KEYS.fxBase), v.get(SETTING_KEYS.fxRates)),
  };
}

// ---------------------------------------------------------------- admin input

const invalid = (field: string, message: string) =>
  new AppError('bad_request', `${field}: ${message}`, { field });

/** `0010.500` → `10.5`: one spelling per value, so an unchanged rate is recognised as such. */
function normaliseDecimal(text: string): string {
  const [int = '0', frac = ''] = text.split('.');
  const f = frac.replace(/0+$/, '');
  const i = int.replace(/^0+(?=\d)/, '');
  return f ? `${i}.${f}` : i;
}

function currencyOrThrow(raw: string, field: string): string {
  const parsed = parseCurrency(raw);
  if (!parsed.ok) throw invalid(field, parsed.reason);
  return parsed.value;
}

function rateOrThrow(rate: unknown, field: string): string {
  if (typeof rate !== 'string')
    throw invalid(field, 'a rate is an exact decimal string like "1.0825", not a number');
  if (!FX_RATE_RE.test(rate.trim()))
    throw invalid(field, `"${rate}" is not a decimal like 1.0825 (at most 6 decimals)`);
  const value = normaliseDecimal(rate.trim());
  if (/^0(\.0*)?$/.test(value)) throw invalid(field, 'the rate must be above 0');
  return value;
}

/**
 * An admin's base currency and rates, checked: ISO 4217 codes, each once, exact decimal strings
 * above 0, the base at exactly 1 (added when left out). Throws AppError naming `fx.base` or
 * `fx.rates.<code>`.
 */
export function parseFxInput(input: {
  base: string;
  rates: Record<string, unknown>;
}): NonNullable<AnalyticsSettings['fx']> {
  const base = currencyOrThrow(input.base, 'fx.base');
  const entries = Object.entries(input.rates);
  if (entries.length > MAX_FX_CURRENCIES)
    throw invalid('fx.rates', `at most ${MAX_FX_CURRENCIES} currencies`);
  const rates = new Map<string, string>([[base, '1']]);
  const seen = new Set<string>();
  for (const [rawCode, rate] of entries) {
    const field = `fx.rates.${rawCode}`;
    const code = currencyOrThrow(rawCode, field);
    if (seen.has(code)) throw invalid(field, `${code} is listed twice`);
    seen.add(code);
    const value = rateOrThrow(rate, field);
    if (code === base && value !== '1') throw invalid(field, "the base currency's rate must be 1");
    rates.set(code, value);
  }
  return { base, rates: Object.fromEntries([...rates].sort(([a], [b]) => a.localeCompare(b))) };
}
