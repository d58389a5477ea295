/** The dashboard's data: summary, activity series and the recent-events feed. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { RecentEvents, Summary, Timeseries } from '../../api/types';

export interface DashboardParams {
  period?: string;
  from?: string;
  to?: string;
  brand?: string;
  source?: string;
}

export function useSummary(params: DashboardParams) {
  return useQuery({
    queryKey: ['summary', params],
    queryFn: ({ signal }) => api.get<Summary>('/api/v1/summary', { ...params }, signal),
    placeholderData: (previous) => previous,
  });
}

export function useTimeseries(params: DashboardParams) {
  return useQuery({
    queryKey: ['timeseries', params],
    queryFn: ({ signal }) => api.get<Timeseries>('/api/v1/timeseries', { ...params }, signal),
    placeholderData: (previous) => previous,
  });
}

/** Always fresh on refocus, and polled every 30 s until the server pushes events. */
export function useRecentEvents(brand: string | undefined) {
  return useQuery({
    queryKey: ['recent', { brand }],
    queryFn: ({ signal }) => api.get<RecentEvents>('/api/v1/events/recent', { brand, limit: 15 }, signal),
    staleTime: 0,
    refetchOnWindowFocus: 'always',
    refetchInterval: 30_000,
  });
}
