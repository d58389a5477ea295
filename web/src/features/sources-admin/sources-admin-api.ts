/**
 * The Sources admin API's shapes (src/routes/admin/sources.ts) and the hooks that read and change
 * them. A full key only ever arrives in the answer to a create or a rotation.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export type EventTypeName = 'CLICK' | 'REG' | 'FTD' | 'DEP' | 'REDEP' | 'CPA';

export interface AdminSource {
  id: number;
  slug: string;
  name: string;
  template: string;
  authMode: 'key' | 'hmac';
  keyPrefix: string;
  previousKeyValidUntil: string | null;
  /** The key before the previous one, after a second rotation inside the grace period. */
  olderKeyValidUntil: string | null;
  ipAllowlist: string[];
  /** Overrides only: a field listed here replaces the template's names for it. */
  paramMap: Record<string, string[]>;
  /** Extra event words, merged over the template's. */
  eventMap: Record<string, EventTypeName>;
  /** Extra declined statuses, added to the template's. */
  declinedStatuses: string[];
  defaultCurrency: string | null;
  isActive: boolean;
  lagWarningMinutes: number;
  lagErrorMinutes: number;
  postbackBase: string;
  createdAt: string;
  updatedAt: string;
}

export interface SourceTemplate {
  id: string;
  name: string;
  macroSyntax: string;
  urlPerEvent: boolean;
  params: Record<string, string[]>;
  events: Record<EventTypeName, string[]>;
  declinedStatuses: string[];
  lag: { warningMinutes: number; errorMinutes: number };
  notes: string;
}

export interface TemplatesAnswer {
  templates: SourceTemplate[];
  fields: string[];
  eventTypes: EventTypeName[];
}

/** The answer to a create or a rotation: the only time the full key is sent. */
export interface KeyAnswer {
  source: AdminSource;
  key: string;
  postbackUrl: string;
  previousKeyValidUntil?: string | null;
}

export interface SourceChanges {
  name?: string;
  authMode?: 'key' | 'hmac';
  ipAllowlist?: string[];
  paramMap?: Record<string, string[]>;
  eventMap?: Record<string, string>;
  declinedStatuses?: string[];
  defaultCurrency?: string | null;
  isActive?: boolean;
}

export interface NewSource extends SourceChanges {
  slug: string;
  template: string;
}

const SOURCES_KEY = ['admin', 'sources'] as const;

export function useAdminSources() {
  return useQuery({
    queryKey: [...SOURCES_KEY, 'list'],
    queryFn: ({ signal }) =>
      api.get<{ sources: AdminSource[]; keyRotationGraceSeconds: number }>('/api/admin/sources', {}, signal),
  });
}

export function useSourceTemplates() {
  return useQuery({
    queryKey: [...SOURCES_KEY, 'templates'],
    queryFn: ({ signal }) => api.get<TemplatesAnswer>('/api/admin/sources/templates', {}, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** A change to the sources: refreshes the admin list and every source picker when it succeeds. */
function useSourceMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: SOURCES_KEY }),
        client.invalidateQueries({ queryKey: ['options', 'sources'] }),
      ]);
    },
  });
}

export function useCreateSource() {
  return useSourceMutation((body: NewSource) => api.post<KeyAnswer>('/api/admin/sources', body));
}

export function useUpdateSource(slug: string) {
  return useSourceMutation((body: SourceChanges) =>
    api.patch<{ source: AdminSource }>(`/api/admin/sources/${encodeURIComponent(slug)}`, body),
  );
}

export function useRotateKey(slug: string) {
  return useSourceMutation(() =>
    api.post<KeyAnswer>(`/api/admin/sources/${encodeURIComponent(slug)}/rotate-key`),
  );
}

/** Only the current key works from now on (a rotated-out key has leaked). */
export function useEndKeyGrace(slug: string) {
  return useSourceMutation(() =>
    api.post<{ source: AdminSource }>(`/api/admin/sources/${encodeURIComponent(slug)}/end-key-grace`),
  );
}
