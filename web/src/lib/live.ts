/**
 * New events pushed by the server (`GET /api/v1/live`, Server-Sent Events) for pages that follow
 * arrivals without reloading: the dashboard feed and the event log. One EventSource per page,
 * with the page's filters; the browser reconnects on its own (sending Last-Event-ID, so missed
 * events are replayed); when the server refuses (401, 503) we retry with a growing delay. The
 * stream is closed while the tab is hidden (a browser holds only a few connections per server)
 * and reopened from the last event seen when the tab comes back.
 *
 * Never writes server state itself: pages decide what an arrival means for their query cache.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type QueryParams, toQueryString } from '../api/client';
import type { EventItem } from '../api/types';

/** `connecting` until the server says ready; `offline` while waiting to retry; `paused` while hidden. */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'paused';

export interface LiveHandlers {
  /** New events matching the filters, in id order. */
  onEvents(rows: EventItem[]): void;
  /** More arrived than the server replays: refetch instead. */
  onResync(): void;
}

/** Close the stream after the tab has been hidden this long. */
const HIDDEN_GRACE_MS = 10_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

function useDocumentVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onChange = () => {
      clearTimeout(timer);
      if (document.visibilityState === 'hidden') timer = setTimeout(() => setVisible(false), HIDDEN_GRACE_MS);
      else setVisible(true);
    };
    document.addEventListener('visibilitychange', onChange);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onChange);
    };
  }, []);
  return visible;
}

function parseRows(data: string): EventItem[] {
  try {
    const body = JSON.parse(data) as { rows?: EventItem[] };
    return Array.isArray(body.rows) ? body.rows : [];
  } catch {
    return [];
  }
}

/**
 * Follows new events matching `params` (the events API's filter names) while `enabled`.
 * Handlers may change on every render; only a change of the filters reconnects.
 */
export function useLiveEvents(params: QueryParams, handlers: LiveHandlers, enabled = true): LiveStatus {
  const visible = useDocumentVisible();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  /** The last event id seen, and under which filters (it says nothing about other filters). */
  const lastIdRef = useRef<{ query: string; id: string } | null>(null);
  const query = toQueryString(params);

  useEffect(() => {
    if (!enabled || !visible) {
      setStatus('paused');
      return;
    }
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let delay = RETRY_MIN_MS;
    let stopped = false;

    const remember = (event: MessageEvent) => {
      if (event.lastEventId) lastIdRef.current = { query, id: event.lastEventId };
    };
    const open = () => {
      setStatus('connecting');
      const resume = lastIdRef.current?.query === query ? lastIdRef.current.id : null;
      const sep = query ? '&' : '?';
      source = new EventSource(`/api/v1/live${query}${resume ? `${sep}last_event_id=${resume}` : ''}`);
      source.addEventListener('ready', (event) => {
        remember(event);
        delay = RETRY_MIN_MS;
        setStatus('live');
      });
      source.addEventListener('events', (event) => {
        remember(event);
        const rows = parseRows(event.data);
        if (rows.length > 0) handlersRef.current.onEvents(rows);
      });
      source.addEventListener('resync', (event) => {
        remember(event);
        handlersRef.current.onResync();
      });
      source.onerror = () => {
        if (stopped || !source) return;
        // CONNECTING: the browser retries by itself (the server's `retry:` hint).
        if (source.readyState === EventSource.CONNECTING) {
          setStatus('connecting');
          return;
        }
        // CLOSED: refused (401, 503, …); try again later, a little later each time.
        source.close();
        source = null;
        setStatus('offline');
        retryTimer = setTimeout(open, delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [query, enabled, visible]);

  return status;
}

/** Ids shown with the "just arrived" highlight; each one fades after `ms`. */
export function useFreshIds(ms = 4_000): [ReadonlySet<number>, (ids: number[]) => void] {
  const [fresh, setFresh] = useState<ReadonlySet<number>>(() => new Set());
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const t of pending) clearTimeout(t);
    };
  }, []);
  const mark = useCallback(
    (ids: number[]) => {
      if (ids.length === 0) return;
      setFresh((old) => new Set([...old, ...ids]));
      const timer = setTimeout(() => {
        timers.current.delete(timer);
        setFresh((old) => {
          const next = new Set(old);
          for (const id of ids) next.delete(id);
          return next;
        });
      }, ms);
      timers.current.add(timer);
    },
    [ms],
  );
  return [fresh, mark];
}

/**
 * Runs `fn` at most once per `ms`: at once when idle, otherwise once at the end of the wait, so a
 * burst of arrivals costs one refetch and the last arrival is never left out.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      fnRef.current();
      return;
    }
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      fnRef.current();
    }, wait);
  }, [ms]);
}

/** Newest first by event time, then id (the order of the feed and the log), without duplicates. */
export function mergeNewest(current: readonly EventItem[], arrived: readonly EventItem[], limit: number) {
  const byId = new Map<number, EventItem>();
  for (const e of [...arrived, ...current]) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()]
    .sort((a, b) => (a.time === b.time ? b.id - a.id : a.time < b.time ? 1 : -1))
    .slice(0, limit);
}
