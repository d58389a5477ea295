/** The dashboard's data: summary, activity series and the recent-events feed (see use-dashboard-live). */
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

/** The feed's length, as the description says: the last 15 events. */
export const FEED_SIZE = 15;

export const recentKey = (brand: string | undefined, source: string | undefined) =>
  ['recent', { brand, source }] as const;

/**
 * Always fresh on refocus. While the live stream pushes arrivals (`live`) nothing is polled;
 * without it (connecting, offline) the feed is polled every 30 s.
 */
export function useRecentEvents(brand: string | undefined, source: string | undefined, live: boolean) {
  return useQuery({
    queryKey: recentKey(brand, source),
    queryFn: ({ signal }) =>
      api.get<RecentEvents>('/api/v1/events/recent', { brand, source, limit: FEED_SIZE }, signal),
    staleTime: 0,
    refetchOnWindowFocus: 'always',
    refetchInterval: live ? false : 30_000,
  });
}
