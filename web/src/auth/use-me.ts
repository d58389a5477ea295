/**
 * Who is logged in (`/api/auth/me`): the person, their role and status, and the CSRF token the
 * API client sends on unsafe methods. A 401 means "not logged in", which is not an error here.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ApiError, api, setCsrfToken } from '../api/client';
import type { AuthConfig, Me } from '../api/types';

export const ME_KEY = ['me'] as const;

export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        const me = await api.get<Me>('/api/auth/me');
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: 1,
  });
}

export function useAuthConfig() {
  return useQuery({
    queryKey: ['auth-config'],
    queryFn: () => api.get<AuthConfig>('/api/auth/config'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useLogout() {
  const client = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => api.post('/api/auth/logout'),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(ME_KEY, null);
      navigate('/login', { replace: true });
    },
  });
}

export function displayName(user: Me['user']): string {
  const full = `${user.firstName} ${user.lastName}`.trim();
  if (full) return full;
  if (user.username) return `@${user.username}`;
  return user.telegramId ? `tg:${user.telegramId}` : `user ${user.id}`;
}
