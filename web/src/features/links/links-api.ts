/**
 * The Link Generator API (src/routes/admin/links.ts): the sources and brands to choose from, the
 * postback URLs for a choice, the test postback, and the event it produced as the event API shows it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../../api/client';
import type { EventDetail } from '../../api/types';
import type { EventType } from '../../lib/event-types';

export interface LinkSourceInfo {
  slug: string;
  name: string;
  template: string;
  templateName: string;
  active: boolean;
  authMode: 'key' | 'hmac';
  urlPerEvent: boolean;
  postbackTypes: EventType[];
  notes: string;
}

export interface LinkOptions {
  baseUrl: string;
  sources: LinkSourceInfo[];
  brands: { slug: string; name: string; blocked: boolean }[];
}

export interface LinkParam {
  name: string;
  value: string;
  kind: 'key' | 'static' | 'macro';
  field: string;
}

export interface GeneratedLink {
  id: string;
  types: EventType[];
  shared: boolean;
  url: string;
  params: LinkParam[];
  warnings: string[];
}

export interface GeneratedLinks {
  baseUrl: string;
  source: LinkSourceInfo;
  brand: { slug: string; known: boolean; blocked: boolean };
  types: EventType[];
  warnings: string[];
  links: GeneratedLink[];
}

export interface TestResult {
  source: string;
  brand: string;
  type: EventType;
  verdict: {
    status: 'accepted' | 'duplicate' | 'rejected';
    httpStatus: number;
    eventId: number | null;
    code: string | null;
    reason: string | null;
    field: string | null;
  };
  transactionId: string | null;
  playerId: string | null;
  sent: Record<string, string>;
  url: string;
  /** Set when the source has an IP allow-list: the test was sent as from this address. */
  senderIp: string | null;
}

export function useLinkOptions() {
  return useQuery({
    queryKey: ['links', 'options'],
    queryFn: ({ signal }) => api.get<LinkOptions>('/api/admin/links/options', {}, signal),
  });
}

export function useGeneratedLinks(source: string | undefined, brand: string | undefined, types: string[]) {
  return useQuery({
    queryKey: ['links', 'generate', source, brand, types.join(',')],
    queryFn: ({ signal }) =>
      api.get<GeneratedLinks>('/api/admin/links', { source, brand, types: types.join(',') }, signal),
    enabled: source !== undefined && brand !== undefined,
    placeholderData: (previous) => previous,
    // A refused choice (bad brand, unknown source) will not change by asking again.
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

/** Fires a test postback; an accepted one may have created the brand, so the choices reload. */
export function useTestPostback() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { source: string; brand: string; type: EventType }) =>
      api.post<TestResult>('/api/admin/links/test', body),
    onSuccess: (result) => {
      if (result.verdict.status !== 'accepted') return;
      void client.invalidateQueries({ queryKey: ['links', 'options'] });
      void client.invalidateQueries({ queryKey: ['links', 'generate'] });
    },
  });
}

/** Polls the event API until the test event is readable (it is stored before the verdict, so at once). */
export function useLandedEvent(eventId: number | null) {
  return useQuery({
    queryKey: ['links', 'landed', eventId],
    queryFn: ({ signal }) => api.get<EventDetail>(`/api/v1/events/${eventId}`, {}, signal),
    enabled: eventId !== null,
    retry: (count, error) => error instanceof ApiError && error.status === 404 && count < 10,
    retryDelay: 400,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
