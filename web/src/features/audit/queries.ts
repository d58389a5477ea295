/** The audit log's data: one keyset page of entries, newest first (`GET /api/admin/audit`). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

/** One entry as src/routes/admin/audit.ts answers it. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorUserId: number | null;
  /** The acting user's name as it is now (null for the CLI, an API client, or a user deleted since). */
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  /** The target's name as it is now (a user, source, brand, API client or bot), or null. */
  targetName: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}
export interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

export const PAGE_SIZE = 50;

export function useAuditPage(params: Record<string, string | number | undefined>) {
  return useQuery({
    queryKey: ['admin', 'audit', params],
    queryFn: ({ signal }) => api.get<AuditPage>('/api/admin/audit', params, signal),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
