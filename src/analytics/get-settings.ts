/**
 * The analytics settings (metric thresholds, the suspicious-deal rule, the export row limit, FX
 * rates for a base-currency revenue total), read from the `settings` table with defaults in code.
 * A malformed stored value falls back to its default rather than breaking every page.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

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

const RATE_RE = /^\d{1,12}(\.\d{1,6})?$/;

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
      if (/^[A-Z]{3}$/.test(code) && typeof rate === 'string' && RATE_RE.test(rate)) out[code] = rate;
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
  return {
    thresholds: {
      clickToReg: num(v.get(SETTING_KEYS.clickToReg), d.thresholds.clickToReg, 0, 1),
      regToFtd: num(v.get(SETTING_KEYS.regToFtd), d.thresholds.regToFtd, 0, 1),
      regToCpa: num(v.get(SETTING_KEYS.regToCpa), d.thresholds.regToCpa, 0, 1),
    },
    suspiciousRatio: num(v.get(SETTING_KEYS.suspiciousRatio), d.suspiciousRatio, 0, 10),
    suspiciousMinReg: Math.trunc(num(v.get(SETTING_KEYS.suspiciousMinReg), d.suspiciousMinReg, 0, 1e9)),
    exportRowLimit: Math.trunc(num(v.get(SETTING_KEYS.exportRowLimit), d.exportRowLimit, 1, 100_000_000)),
    fx: parseFx(v.get(SETTING_KEYS.fxBase), v.get(SETTING_KEYS.fxRates)),
  };
}
