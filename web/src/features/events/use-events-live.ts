/**
 * The event log following new events. The stream carries the log's filters (brand, type, test,
 * source, tag); the date range is checked here. On page 1 — the newest events, the "tail" of the
 * log — an arrival refetches the page (so rows, total and paging stay exactly the server's) and
 * the new rows are highlighted. On any other page rows must not move under the reader, so
 * arrivals are only counted, for a "N new events" notice that leads to page 1.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { EventItem } from '../../api/types';
import { useFreshIds, useLiveEvents, useThrottled } from '../../lib/live';
import type { EventsSearch } from './url-state';

/** Page 1 is refetched at most this often while events arrive. */
const REFETCH_MS = 1_000;

/** Arrivals not yet shown: a count, or `null` when the server said too many to count (resync). */
export type Missed = number | null;

/** The event's UTC day against the log's inclusive `from`/`to` dates. */
export function inDateRange(e: EventItem, from: string | undefined, to: string | undefined): boolean {
  const day = e.time.slice(0, 10);
  return (from === undefined || day >= from) && (to === undefined || day <= to);
}

export function useEventsLive(search: EventsSearch) {
  const qc = useQueryClient();
  const [fresh, markFresh] = useFreshIds();
  const [missed, setMissed] = useState<Missed>(0);
  const [announced, setAnnounced] = useState('');
  const refetchLog = useThrottled(() => void qc.invalidateQueries({ queryKey: ['events'] }), REFETCH_MS);
  const onFirstPage = search.page === 1;
  const view = JSON.stringify([
    search.brand,
    search.type,
    search.test,
    search.source,
    search.tag,
    search.from,
    search.to,
    search.page,
  ]);

  // A new page or new filters: the notice counted arrivals for the old view (reset during render,
  // as React recommends for state derived from a key).
  const [counted, setCounted] = useState(view);
  if (counted !== view) {
    setCounted(view);
    setMissed(0);
  }

  const status = useLiveEvents(
    { brand: search.brand, type: search.type, test: search.test, source: search.source, tag: search.tag },
    {
      onEvents(rows) {
        const shown = rows.filter((e) => inDateRange(e, search.from, search.to));
        if (shown.length === 0) return;
        if (onFirstPage) {
          markFresh(shown.map((e) => e.id));
          setAnnounced(`${shown.length} new ${shown.length === 1 ? 'event' : 'events'}`);
          refetchLog();
        } else setMissed((n) => (n === null ? null : n + shown.length));
      },
      onResync() {
        if (onFirstPage) refetchLog();
        else setMissed(null);
      },
    },
  );
  return { status, fresh, missed, announced, clearMissed: () => setMissed(0) };
}
