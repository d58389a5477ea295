/**
 * Brands `/brands`: every brand with events in the period, searchable, sorted by name, events or
 * last event (by the server), with its sources as chips; a click opens the brand's page.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useNavigate } from 'react-router';
import { z } from 'zod';
import { api } from '../../api/client';
import type { Brands } from '../../api/types';
import { formatCount, formatUtc, timeAgo } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { enumParam, textParam, useUrlState } from '../../lib/url-state';
import { type Columns, DataTable } from '../../ui/data-table';
import { TextField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';

type BrandRow = Brands['rows'][number];
const col = createColumnHelper<BrandRow>();

const brandsSearch = z.object({
  search: textParam(200),
  sort: enumParam(['name', 'events', 'last_event'] as const, 'events'),
  order: enumParam(['asc', 'desc'] as const, 'desc'),
});

const columns: Columns<BrandRow> = [
  col.accessor('name', {
    header: 'Brand',
    cell: (c) => <span style={{ color: 'var(--text-strong)', fontWeight: 500 }}>{c.getValue()}</span>,
    meta: { sortKey: 'name' },
  }),
  col.accessor('events', {
    header: 'Events',
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true, sortKey: 'events' },
  }),
  col.accessor('last_event_at', {
    header: 'Last event',
    cell: (c) => {
      const v = c.getValue();
      return v ? (
        <time dateTime={v} title={formatUtc(v)}>
          {timeAgo(v)}
        </time>
      ) : (
        '—'
      );
    },
    meta: { sortKey: 'last_event' },
  }),
  col.accessor('sources', {
    header: 'Sources',
    cell: (c) => (
      <span className="chips">
        {c.getValue().map((s: string) => (
          <span key={s} className="chip">
            {s.toUpperCase()}
          </span>
        ))}
      </span>
    ),
  }),
];

export function BrandsPage() {
  const period = usePeriod(PAGE_PERIODS.brands);
  const [s, set] = useUrlState(brandsSearch);
  const navigate = useNavigate();
  const params = { ...period.params, search: s.search, sort: s.sort, order: s.order };
  const brands = useQuery({
    queryKey: ['brands', params],
    queryFn: ({ signal }) => api.get<Brands>('/api/v1/brands', params, signal),
    placeholderData: keepPreviousData,
  });
  const data = brands.data;
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="brands-total">
          {data
            ? `${formatCount(data.rows.length)} brands · ${formatCount(
                data.rows.filter((r) => r.events > 0).length,
              )} with events in this period`
            : 'Loading brands…'}
        </div>
        <search aria-label="Brand search">
          <TextField
            label="Search"
            type="search"
            value={s.search ?? ''}
            placeholder="brand name"
            onChange={(search) => set({ search: search || undefined }, { replace: true })}
          />
        </search>
      </div>
      {brands.isError && !data ? (
        <div className="card">
          <ErrorState
            error={brands.error}
            onRetry={() => brands.refetch()}
            title="Could not load the brands"
          />
        </div>
      ) : !data ? (
        <TableSkeleton rows={14} columns={4} />
      ) : data.rows.length === 0 ? (
        <div className="card">
          <EmptyState
            title={s.search ? `No brand matches “${s.search}”` : 'No brand received events in this period'}
          >
            {s.search ? 'Check the spelling, or clear the search.' : 'Pick a longer period in the top bar.'}
          </EmptyState>
        </div>
      ) : (
        <div style={{ opacity: brands.isPlaceholderData ? 0.6 : 1 }}>
          <DataTable
            label="Brands"
            columns={columns}
            data={data.rows}
            rowProps={(row) => ({
              'data-id': row.original.slug,
              onClick: () =>
                navigate(`/brands/${encodeURIComponent(row.original.slug)}${window.location.search}`),
            })}
            serverSort={{
              sort: s.sort,
              order: s.order,
              onSort: (sort, order) => set({ sort: sort as typeof s.sort, order }),
            }}
          />
        </div>
      )}
    </>
  );
}
