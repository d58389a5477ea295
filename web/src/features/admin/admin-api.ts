/** The admin API's shapes (src/access: publicUser, publicApiClient) and the hooks that change them. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { PublicUser } from '../../api/types';

export interface AdminUser extends PublicUser {
  hasActiveSession: boolean;
}
export interface ApiClient {
  id: number;
  name: string;
  keyPrefix: string;
  status: 'active' | 'inactive';
  rateLimitPerMinute: number;
  lastUsedAt: string | null;
  createdAt: string;
}

export function useUsers() {
  return useQuery({
    queryKey: ['admin', 'users'],
    queryFn: ({ signal }) => api.get<{ users: AdminUser[] }>('/api/admin/users', {}, signal),
  });
}

export function useApiClients() {
  return useQuery({
    queryKey: ['admin', 'api-clients'],
    queryFn: ({ signal }) => api.get<{ clients: ApiClient[] }>('/api/admin/api-clients', {}, signal),
  });
}

/** A mutation that refreshes the admin lists when it succeeds. */
export function useAdminMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}
