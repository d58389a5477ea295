/** The event log's data: a page of events, and one event with every raw field. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { EventDetail, EventsPage } from '../../api/types';

export function useEventsPage(params: Record<string, string | number | readonly string[] | undefined>) {
  return useQuery({
    queryKey: ['events', params],
    queryFn: ({ signal }) => api.get<EventsPage>('/api/v1/events', params, signal),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export function useEvent(id: number | undefined) {
  return useQuery({
    queryKey: ['event', id],
    queryFn: ({ signal }) => api.get<EventDetail>(`/api/v1/events/${id}`, {}, signal),
    enabled: id !== undefined,
    staleTime: 5 * 60_000,
  });
}
