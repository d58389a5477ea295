/**
 * The brand admin API's shapes (src/brands/brand-admin.ts: AdminBrand, MergeResult) and the hooks
 * that read and change them. A change refreshes every query: a merge moves figures on every page.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface AdminBrand {
  id: number;
  slug: string;
  name: string;
  blocked: boolean;
  aliasOf: string | null;
  aliases: string[];
  events: number;
  lastEventAt: string | null;
  createdAt: string;
}

export interface MergeResult {
  brand: AdminBrand;
  merged: string;
  moved: { events: number; orphanFtdsCleared: number; aliases: string[] };
}

export const brandPath = (slug: string) => `/api/admin/brands/${encodeURIComponent(slug)}`;

export function useAdminBrands() {
  return useQuery({
    queryKey: ['admin', 'brands'],
    queryFn: ({ signal }) => api.get<{ brands: AdminBrand[] }>('/api/admin/brands', {}, signal),
  });
}

/** A brand change: on success every cached figure is refetched (merges move events between brands). */
export function useBrandMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries() });
}

export function useUpdateBrand(slug: string) {
  return useBrandMutation((body: { name?: string; blocked?: boolean }) =>
    api.patch<{ brand: AdminBrand }>(brandPath(slug), body),
  );
}

export function useMergeBrand(slug: string) {
  return useBrandMutation((into: string) => api.post<MergeResult>(`${brandPath(slug)}/merge`, { into }));
}
