/**
 * Events `/events`: the postback log, newest first, 50 a page with a 7-button window; filters in
 * the URL with an active-filter badge and Clear; test events at 60 % opacity; the detail panel;
 * CSV/XLSX export of the whole filtered log. New events arrive by server push (use-events-live):
 * on page 1 they appear at the top, highlighted; on other pages a notice counts them.
 */
import { useCallback, useMemo, useState } from 'react';
import { toQueryString } from '../../api/client';
import { formatCount } from '../../lib/format';
import { useUrlState } from '../../lib/url-state';
import { DataTable } from '../../ui/data-table';
import { DownloadIcon, InboxIcon } from '../../ui/icons';
import { Pagination } from '../../ui/pagination';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { LiveIndicator } from '../dashboard/live-indicator';
import { FirstPostbackHint } from '../shared/first-postback-hint';
import { eventColumns } from './event-columns';
import { EventDetailPanel } from './event-detail';
import { EventFilters } from './event-filters';
import { useEventsPage } from './queries';
import { activeFilterCount, CLEARED, eventsApiParams, eventsSearch } from './url-state';
import { type Missed, useEventsLive } from './use-events-live';

function NewEventsNotice({ missed, onShow }: { missed: Missed; onShow: () => void }) {
  if (missed === 0) return null;
  const what =
    missed === null ? 'Many new events' : `${formatCount(missed)} new ${missed === 1 ? 'event' : 'events'}`;
  return (
    <div className="live-notice" role="status" data-testid="new-events">
      <span>
        <strong className="num">{what}</strong> since this page was loaded
      </span>
      <button type="button" className="btn" onClick={onShow}>
        Show newest
      </button>
    </div>
  );
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The log's span as the server reads it (request-context.ts): a year back, at most 400 days. */
const LOG_MAX_DAYS = 400;
function rangeNote(from: string | undefined, to: string | undefined): string {
  if (from === undefined && to === undefined) return ' in the last 12 months';
  if (from === undefined || to !== undefined) return '';
  const end = Date.parse(`${from}T00:00:00Z`) + LOG_MAX_DAYS * 86_400_000;
  if (end >= Date.now()) return '';
  return ` from ${from} to ${new Date(end - 86_400_000).toISOString().slice(0, 10)} (${LOG_MAX_DAYS} days at most at once)`;
}

export function EventsPage() {
  const [search, set] = useUrlState(eventsSearch);
  const [filtersOpen, setFiltersOpen] = useState(
    () => window.matchMedia?.('(min-width: 861px)').matches ?? true,
  );
  const filters = useMemo(() => eventsApiParams(search), [search]);
  const params = useMemo(() => ({ ...filters, page: search.page, page_size: 50 }), [filters, search.page]);
  const events = useEventsPage(params);
  const live = useEventsLive(search);
  const open = useCallback((id: number) => set({ event: id }), [set]);
  const close = useCallback(() => set({ event: undefined }), [set]);
  const columns = useMemo(() => eventColumns(open), [open]);
  const active = activeFilterCount(search);
  const exportQuery = (format: 'csv' | 'xlsx') =>
    `/api/v1/events/export${toQueryString({ ...filters, format, tz: browserZone() })}`;
  const data = events.data;

  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="events-total">
          {data ? (
            <>
              <strong className="num" style={{ color: 'var(--text-strong)' }}>
                {formatCount(data.total)}
                {data.total_exact ? '' : '+'}
              </strong>{' '}
              events{rangeNote(search.from, search.to)}, newest first
            </>
          ) : (
            'Loading events…'
          )}
        </div>
        <div className="toolbar">
          <LiveIndicator status={live.status} />
          <button
            type="button"
            className="btn"
            aria-expanded={filtersOpen}
            aria-controls="event-filters"
            onClick={() => setFiltersOpen((o) => !o)}
            data-testid="filters-toggle"
          >
            Filters
            {active > 0 ? (
              <span className="count" data-testid="filter-count">
                {active}
                <span className="sr-only"> active</span>
              </span>
            ) : null}
          </button>
          <a className="btn" href={exportQuery('csv')} download data-testid="export-csv">
            <DownloadIcon /> CSV
          </a>
          <a className="btn" href={exportQuery('xlsx')} download data-testid="export-xlsx">
            <DownloadIcon /> Excel
          </a>
        </div>
      </div>

      {filtersOpen ? <EventFilters search={search} set={set} /> : null}

      <NewEventsNotice
        missed={live.missed}
        onShow={() => {
          live.clearMissed();
          set({ page: 1 });
        }}
      />
      <div className="sr-only" aria-live="polite">
        {live.announced}
      </div>

      {events.isError && !data ? (
        <div className="card">
          <ErrorState error={events.error} onRetry={() => events.refetch()} title="Could not load events" />
        </div>
      ) : !data ? (
        <TableSkeleton rows={14} columns={10} />
      ) : data.rows.length === 0 ? (
        <div className="card">
          {active > 0 ? (
            <EmptyState title="No events match these filters">
              <button type="button" className="btn" onClick={() => set({ ...CLEARED })}>
                Clear filters
              </button>
            </EmptyState>
          ) : (
            <EmptyState title="No events yet" icon={<InboxIcon />}>
              <FirstPostbackHint />
            </EmptyState>
          )}
        </div>
      ) : (
        <div style={{ opacity: events.isPlaceholderData ? 0.6 : 1, transition: 'opacity .15s' }}>
          <DataTable
            label="Events"
            columns={columns}
            data={data.rows}
            rowProps={(row) => ({
              className:
                `${row.original.is_test ? 'test-event' : ''} ${live.fresh.has(row.original.id) ? 'live-new' : ''}`.trim(),
              onClick: () => open(row.original.id),
              'data-id': String(row.original.id),
            })}
          />
        </div>
      )}

      {data && data.rows.length > 0 ? (
        <Pagination
          page={data.page}
          pages={data.pages}
          window={data.window}
          onPage={(page) => set({ page })}
          summary={`Page ${formatCount(data.page)} of ${formatCount(data.pages)}`}
        />
      ) : null}

      {search.event !== undefined ? <EventDetailPanel id={search.event} onClose={close} /> : null}
    </>
  );
}
