/**
 * The rejections page's server state: a page of stored rejections (read API, keyset cursor) and
 * the postback tester's check (a POST that stores nothing, so it invalidates nothing).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type * as C from '../../../../src/contracts/analytics.js';
import type {
  PostbackCheckRequest,
  PostbackCheckResult,
} from '../../../../src/routes/admin/postback-check.js';
import { api } from '../../api/client';

export type Rejections = z.infer<typeof C.rejectionsResponse>;
export type RejectionRow = Rejections['rows'][number];
export type { PostbackCheckRequest, PostbackCheckResult };

export const PAGE_SIZE = 50;

export function useRejections(params: Record<string, string | number | undefined>) {
  return useQuery({
    queryKey: ['rejections', params],
    queryFn: ({ signal }) => api.get<Rejections>('/api/v1/rejections', params, signal),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function usePostbackCheck() {
  return useMutation({
    mutationFn: (body: PostbackCheckRequest) =>
      api.post<PostbackCheckResult>('/api/admin/postback-check', body),
  });
}

/** What re-processing a stored rejection gave (routes/admin/rejections.ts). */
export interface ReprocessResult {
  rejectionId: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  eventId: number | null;
  code: string | null;
  reason: string | null;
}

/** Sends a stored rejection through the pipeline again; the list refetches when it was stored. */
export function useReprocess() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<ReprocessResult>(`/api/admin/rejections/${id}/reprocess`),
    onSuccess: async (result) => {
      if (result.status !== 'rejected') await client.invalidateQueries({ queryKey: ['rejections'] });
    },
  });
}
