/**
 * The dashboard following new events: arrivals go to the top of the recent feed (highlighted for
 * a moment) straight from the push, and the KPI cards and the chart are refetched, at most every
 * few seconds, when an arrival can change them (a production event of the shown brand and source,
 * in a period that reaches today). The feed's brand filter is the stream's filter; its source
 * filter is applied to what arrives.
 */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import type { EventItem, RecentEvents } from '../../api/types';
import { mergeNewest, useFreshIds, useLiveEvents, useThrottled } from '../../lib/live';
import type { PeriodState } from '../../lib/periods';
import { todayUtc } from '../../lib/periods';
import { FEED_SIZE, recentKey } from './queries';

/** The KPI cards and the chart are refetched at most this often while events arrive. */
const KPI_REFRESH_MS = 5_000;

/** Whether events arriving now can change figures for this period (a past period cannot). */
export function periodReachesToday(period: PeriodState): boolean {
  if (period.preset === 'yesterday' || period.preset === 'last_month') return false;
  if (period.preset === 'custom') return (period.to ?? '') >= todayUtc();
  return true;
}

function countsChange(rows: EventItem[], source: string | undefined): boolean {
  return rows.some((r) => !r.is_test && (source === undefined || r.source === source));
}

function refetchFigures(qc: QueryClient): void {
  void qc.invalidateQueries({ queryKey: ['summary'] });
  void qc.invalidateQueries({ queryKey: ['timeseries'] });
}

export function useDashboardLive(brand: string | undefined, source: string | undefined, period: PeriodState) {
  const qc = useQueryClient();
  const [fresh, markFresh] = useFreshIds();
  const refreshFigures = useThrottled(() => refetchFigures(qc), KPI_REFRESH_MS);
  const followsNow = periodReachesToday(period);
  const status = useLiveEvents(
    { brand },
    {
      onEvents(all) {
        // The stream is filtered by brand only; the feed also follows the source filter.
        const rows = source === undefined ? all : all.filter((r) => r.source === source);
        if (rows.length === 0) return;
        qc.setQueryData<RecentEvents>(recentKey(brand, source), (old) =>
          old ? { rows: mergeNewest(old.rows, rows, FEED_SIZE) } : old,
        );
        markFresh(rows.map((r) => r.id));
        if (followsNow && countsChange(rows, source)) refreshFigures();
      },
      onResync() {
        void qc.invalidateQueries({ queryKey: recentKey(brand, source) });
        if (followsNow) refreshFigures();
      },
    },
  );
  return { status, fresh };
}
