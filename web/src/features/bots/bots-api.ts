/**
 * The bots admin API (`/api/admin/bots`, src/routes/admin/bots.ts) as the Bots page uses it: the
 * shapes (type-only imports of the server's own types, so no server code reaches the bundle), the
 * queries and the mutations. A token is only ever sent, never read back: the API answers with a
 * masked one (`123456:…wXyZ`) and that is all the page can show.
 */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AlertSettings } from '../../../../src/notify/alert-settings.js';
import type { PublicDelivery } from '../../../../src/notify/bot-messages.js';
import type { PublicBot } from '../../../../src/notify/bot-service.js';
import { api } from '../../api/client';

export type { AlertSettings, PublicBot, PublicDelivery };
export type BotScope = PublicBot['scope'];
export type TestEventMode = BotScope['testEvents'];
export type DeliveryStatus = PublicDelivery['status'];

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'sending',
  'sent',
  'digested',
  'failed',
  'cancelled',
];

export interface BotDetail {
  bot: PublicBot;
  deliveries: PublicDelivery[];
}
export interface OpenAlert {
  key: string;
  kind: string;
  since: string;
}
export interface AlertsAnswer {
  settings: AlertSettings;
  open: OpenAlert[];
}
export interface TestDelivery {
  id: number;
  status: DeliveryStatus;
  error: string | null;
}
export interface Preview {
  html: string;
  text: string;
  entities: { type: string; offset: number; length: number; url?: string }[];
}

/** What create and edit send; the token is left out of an edit that keeps the current one. */
export interface BotBody {
  name: string;
  token?: string;
  chatId: string;
  businessUnit: string | null;
  isActive: boolean;
  scope: BotScope;
  template: string | null;
}

const BOTS_KEY = ['admin', 'bots'] as const;
const detailKey = (id: number) => [...BOTS_KEY, 'detail', id] as const;

/** How long after a save the list keeps polling for the first health check's answer. */
const HEALTH_WAIT_MS = 60_000;

function awaitsHealth(bot: PublicBot): boolean {
  return (
    bot.status === 'active' &&
    bot.health.status === 'unknown' &&
    Date.now() - Date.parse(bot.updatedAt) < HEALTH_WAIT_MS
  );
}

/** The list; polled every 2 s while a bot saved a moment ago waits for its health check. */
export function useBots() {
  return useQuery({
    queryKey: BOTS_KEY,
    queryFn: ({ signal }) => api.get<{ bots: PublicBot[] }>('/api/admin/bots', {}, signal),
    refetchInterval: (query) => (query.state.data?.bots.some(awaitsHealth) ? 2_000 : false),
  });
}

function fetchDetail(id: number, signal: AbortSignal) {
  return api.get<BotDetail>(`/api/admin/bots/${id}`, {}, signal);
}

/** Each bot with its last 20 deliveries: the list's "last delivery" and error columns. */
export function useBotDetails(ids: readonly number[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: detailKey(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchDetail(id, signal),
    })),
  });
}

/** A bot's deliveries, optionally of one status (newest first); polled while some are on their way. */
export function useDeliveries(id: number, status: DeliveryStatus | '') {
  return useQuery({
    queryKey: [...detailKey(id), 'deliveries', status],
    queryFn: ({ signal }) =>
      api.get<{ deliveries: PublicDelivery[] }>(
        `/api/admin/bots/${id}/deliveries`,
        { limit: 50, status },
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.deliveries.some((d) => d.status === 'pending' || d.status === 'sending')
        ? 2_000
        : false,
  });
}

export function useAlerts() {
  return useQuery({
    queryKey: [...BOTS_KEY, 'alerts'],
    queryFn: ({ signal }) => api.get<AlertsAnswer>('/api/admin/bots/alerts', {}, signal),
  });
}

/** The live preview of a template on the sample event; errors are 400s naming `template`. */
export function usePreview(template: string | null, botName: string) {
  return useQuery({
    queryKey: ['admin', 'bot-preview', template, botName],
    queryFn: () => api.post<Preview>('/api/admin/bots/preview', { template, botName: botName || 'Bot' }),
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** A change to the bots: refreshes the list, every detail and the alert settings when it succeeds. */
export function useBotMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => client.invalidateQueries({ queryKey: BOTS_KEY }),
  });
}

export const createBot = (body: BotBody) => api.post<{ bot: PublicBot }>('/api/admin/bots', body);
export const updateBot = (id: number, body: Partial<BotBody>) =>
  api.patch<{ bot: PublicBot }>(`/api/admin/bots/${id}`, body);
export const deleteBot = (id: number) => api.delete(`/api/admin/bots/${id}`);
export const sendTestMessage = (id: number) =>
  api.post<{ delivery: TestDelivery }>(`/api/admin/bots/${id}/test`);
export const checkHealth = (id: number) => api.post(`/api/admin/bots/${id}/health`);

/** PUT /api/admin/bots/alerts: the whole alert settings, answered with what was stored. */
export function useSaveAlerts() {
  return useBotMutation(
    async (settings: AlertSettings) =>
      (await api.put<{ settings: AlertSettings }>('/api/admin/bots/alerts', settings)).settings,
  );
}
