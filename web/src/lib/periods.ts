/**
 * The period presets of the description (UTC, as the server resolves them), which pages offer
 * which, and the period part of a page's URL: `period=this_week`, or `from`/`to` for a custom range.
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { z } from 'zod';
import { dateParam, readUrlState, type UrlValue, writeUrlState } from './url-state';

export const PRESETS = [
  'today',
  'yesterday',
  'this_week',
  'this_month',
  'last_month',
  'quarter',
  'ytd',
] as const;
export type Preset = (typeof PRESETS)[number];

export const PRESET_LABELS: Record<Preset, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  this_week: 'This Week',
  this_month: 'This Month',
  last_month: 'Last Month',
  quarter: 'Quarter',
  ytd: 'YTD',
};

export interface PeriodConfig {
  presets: readonly Preset[];
  fallback: Preset;
}

const WITHOUT_LAST_MONTH = PRESETS.filter((p) => p !== 'last_month');

/** Per page, as the description's time-periods table says. */
export const PAGE_PERIODS = {
  dashboard: { presets: WITHOUT_LAST_MONTH, fallback: 'today' },
  stats: { presets: PRESETS, fallback: 'this_week' },
  brands: { presets: PRESETS, fallback: 'this_month' },
  sources: { presets: WITHOUT_LAST_MONTH, fallback: 'this_week' },
  affiliates: { presets: WITHOUT_LAST_MONTH, fallback: 'this_week' },
  deals: { presets: PRESETS, fallback: 'this_month' },
  brokenTags: { presets: PRESETS, fallback: 'this_month' },
} satisfies Record<string, PeriodConfig>;

function periodSchema(config: PeriodConfig) {
  return z.object({
    period: z
      .enum(PRESETS)
      .refine((p) => config.presets.includes(p))
      .catch(config.fallback),
    from: dateParam(),
    to: dateParam(),
  });
}

export interface PeriodState {
  preset: Preset | 'custom';
  from?: string;
  to?: string;
  /** What the read API takes: `{ period }` or `{ from, to }`. */
  params: { period?: Preset; from?: string; to?: string };
}

export function readPeriod(config: PeriodConfig, search: URLSearchParams): PeriodState {
  const s = readUrlState(periodSchema(config), search);
  if (s.from && s.to && s.from <= s.to)
    return { preset: 'custom', from: s.from, to: s.to, params: { from: s.from, to: s.to } };
  return { preset: s.period, params: { period: s.period } };
}

export function writePeriod(
  config: PeriodConfig,
  search: URLSearchParams,
  value: { period?: Preset; from?: string; to?: string },
): URLSearchParams {
  const patch: Record<string, UrlValue> = { period: value.period, from: value.from, to: value.to };
  const next = writeUrlState(periodSchema(config), search, patch);
  next.delete('page');
  return next;
}

export function usePeriod(config: PeriodConfig): PeriodState {
  const [search] = useSearchParams();
  return useMemo(() => readPeriod(config, search), [config, search]);
}

/** Today as `YYYY-MM-DD` in UTC (the server's periods are UTC). */
export function todayUtc(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The period of the current URL (`?period=` or `?from=&to=`) as a query string for a link to
 * another page with a period, so a drill-down shows the same span as the row clicked.
 */
export function periodSearch(search: string = window.location.search): string {
  const current = new URLSearchParams(search);
  const next = new URLSearchParams();
  for (const key of ['period', 'from', 'to']) {
    const value = current.get(key);
    if (value) next.set(key, value);
  }
  const text = next.toString();
  return text === '' ? '' : `?${text}`;
}
