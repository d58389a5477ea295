/**
 * Affiliates `/affiliates`: one row per affiliate for the period, brand and source, with every
 * count, CPA revenue and the rates; searchable; sortable on every column; a click opens the
 * affiliate's page.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { Link, useNavigate } from 'react-router';
import { z } from 'zod';
import { api } from '../../api/client';
import type { Affiliates } from '../../api/types';
import { formatCount } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { slugParam, textParam, useUrlState } from '../../lib/url-state';
import { type Columns, DataTable } from '../../ui/data-table';
import { TextField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { countColumns, RevenueCell, rateColumns } from '../shared/count-columns';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';

type AffiliateRow = Affiliates['rows'][number];
const col = createColumnHelper<AffiliateRow>();

const affiliatesSearch = z.object({ brand: slugParam(), source: slugParam(), search: textParam(200) });

const columns: Columns<AffiliateRow> = [
  col.accessor('affiliate_id', {
    header: 'Affiliate',
    cell: (c) =>
      c.getValue() === '' ? (
        <span className="muted" title="Postbacks that carried no affiliate id">
          (no affiliate)
        </span>
      ) : (
        <>
          <Link
            to={`/affiliates/${encodeURIComponent(c.getValue())}${window.location.search}`}
            onClick={(e) => e.stopPropagation()}
          >
            {c.getValue()}
          </Link>
          {c.row.original.unresolved_macro !== null ? (
            <span
              className="pill warn"
              style={{ marginLeft: 8 }}
              title="The network sent its macro instead of an affiliate id: the postback URL is broken"
            >
              unresolved macro
            </span>
          ) : null}
        </>
      ),
  }),
  col.accessor('events', {
    header: 'Events',
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true },
  }),
  ...countColumns<AffiliateRow>(),
  col.accessor((r) => r.revenue.reduce((sum, m) => sum + Number(m.amount), 0), {
    id: 'revenue',
    header: 'Revenue',
    cell: (c) => <RevenueCell revenue={c.row.original.revenue} />,
    meta: { numeric: true },
  }),
  ...rateColumns<AffiliateRow>(),
];

export function AffiliatesPage() {
  const period = usePeriod(PAGE_PERIODS.affiliates);
  const [s, set] = useUrlState(affiliatesSearch);
  const navigate = useNavigate();
  const params = { ...period.params, brand: s.brand, source: s.source, search: s.search };
  const affiliates = useQuery({
    queryKey: ['affiliates', params],
    queryFn: ({ signal }) => api.get<Affiliates>('/api/v1/affiliates', params, signal),
    placeholderData: keepPreviousData,
  });
  const data = affiliates.data;
  const active = [s.brand, s.source, s.search].filter(Boolean).length;
  return (
    <>
      <div className="sub muted" data-testid="affiliates-total">
        {data
          ? `${formatCount(
              data.rows.filter((r) => r.affiliate_id !== '' && r.unresolved_macro === null).length,
            )} affiliates with events in this period`
          : 'Loading affiliates…'}
      </div>
      <search className="filters" aria-label="Affiliate filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
        <SourceSelect value={s.source} onChange={(source) => set({ source })} />
        <TextField
          label="Affiliate ID"
          type="search"
          value={s.search ?? ''}
          placeholder="contains…"
          onChange={(search) => set({ search: search || undefined }, { replace: true })}
        />
        <ClearFilters
          count={active}
          onClear={() => set({ brand: undefined, source: undefined, search: undefined })}
        />
      </search>
      {affiliates.isError && !data ? (
        <div className="card">
          <ErrorState
            error={affiliates.error}
            onRetry={() => affiliates.refetch()}
            title="Could not load the affiliates"
          />
        </div>
      ) : !data ? (
        <TableSkeleton rows={14} columns={12} />
      ) : data.rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No affiliate events in this period">
            {active > 0 ? 'Clear the filters or pick ' : 'Pick '}a longer period in the top bar.
          </EmptyState>
        </div>
      ) : (
        <div style={{ opacity: affiliates.isPlaceholderData ? 0.6 : 1 }}>
          <DataTable
            label="Affiliates"
            columns={columns}
            data={data.rows}
            clientSort
            rowProps={(row) => ({
              'data-id': row.original.affiliate_id,
              // The events without an affiliate have no page of their own.
              onClick:
                row.original.affiliate_id === ''
                  ? undefined
                  : () =>
                      navigate(
                        `/affiliates/${encodeURIComponent(row.original.affiliate_id)}${window.location.search}`,
                      ),
            })}
          />
        </div>
      )}
    </>
  );
}
