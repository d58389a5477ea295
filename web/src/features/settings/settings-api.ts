/**
 * The settings admin API (`src/routes/admin/settings.ts`): its shapes, the query that reads every
 * editable value with its default, and the two saves (settings, one source's lag thresholds).
 * A save refreshes every cached page query, so thresholds and statuses elsewhere follow at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface Fx {
  base: string;
  /** Units of the base currency per unit of each currency, as exact decimal strings. */
  rates: Record<string, string>;
}
export interface Entry<V> {
  value: V;
  default: V;
  overridden: boolean;
}
export type NumberName =
  | 'clickToReg'
  | 'regToFtd'
  | 'regToCpa'
  | 'suspiciousRatio'
  | 'suspiciousMinReg'
  | 'exportRowLimit';
export interface Bounds {
  min: number;
  max: number;
}
export interface SourceLag {
  slug: string;
  name: string;
  isActive: boolean;
  warningMinutes: number;
  errorMinutes: number;
  default: { warningMinutes: number; errorMinutes: number };
  overridden: boolean;
}
export interface AdminSettings {
  settings: Record<NumberName, Entry<number>> & { fx: Entry<Fx | null> };
  bounds: {
    threshold: Bounds;
    suspiciousRatio: Bounds;
    suspiciousMinReg: Bounds;
    exportRowLimit: Bounds;
    lagMinutes: Bounds;
    fxCurrencies: number;
  };
  /** Currencies CPA revenue has arrived in: each needs a rate for a base-currency total. */
  revenueCurrencies: string[];
  sourceLag: SourceLag[];
  changed?: string[];
}
/** A partial update: a value sets the setting, null resets it to its default. */
export type SettingsPatch = Partial<Record<NumberName, number | null>> & { fx?: Fx | null };

export const SETTINGS_KEY = ['admin', 'settings'] as const;

export function useAdminSettings() {
  return useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: ({ signal }) => api.get<AdminSettings>('/api/admin/settings', {}, signal),
  });
}

export function useSaveSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => api.put<AdminSettings>('/api/admin/settings', patch),
    onSuccess: async (data) => {
      client.setQueryData(SETTINGS_KEY, data);
      await client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'admin' });
    },
  });
}

export function useSaveSourceLag(slug: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (lag: { warningMinutes: number; errorMinutes: number }) =>
      api.put<{ source: SourceLag; changed: boolean }>(
        `/api/admin/settings/source-lag/${encodeURIComponent(slug)}`,
        lag,
      ),
    onSuccess: () => client.invalidateQueries(),
  });
}
