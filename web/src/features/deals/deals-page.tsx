/**
 * Deal Audit `/deals`: per brand × source, REG, FTD, conversion (red when suspicious), failed
 * notifications (red when > 0), orphan FTDs (amber when > 0) and rejected events; period, brand,
 * source and "problems only" filters; server-side sort on every column; CSV/Excel export; a click
 * opens the offending events.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useMemo } from 'react';
import { Link } from 'react-router';
import { z } from 'zod';
import { api, toQueryString } from '../../api/client';
import type { Deals } from '../../api/types';
import { useMe } from '../../auth/use-me';
import { formatCount, formatRate } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { boolParam, enumParam, slugParam, useUrlState } from '../../lib/url-state';
import { type Columns, DataTable } from '../../ui/data-table';
import { DownloadIcon } from '../../ui/icons';
import { CheckField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';
import { DealDetail } from './deal-detail';

type DealRow = Deals['rows'][number];
const col = createColumnHelper<DealRow>();
const SORTS = [
  'brand',
  'source',
  'reg',
  'ftd',
  'conversion',
  'failed_notifs',
  'orphan_ftds',
  'rejected',
] as const;

const dealsSearch = z.object({
  brand: slugParam(),
  source: slugParam(),
  problems: boolParam(),
  sort: enumParam(SORTS, 'brand'),
  order: enumParam(['asc', 'desc'] as const, 'asc'),
  deal: z
    .string()
    .regex(/^[\w.-]{1,64}\/[\w.-]{1,64}$/)
    .optional()
    .catch(undefined),
});

const columns: Columns<DealRow> = [
  col.accessor('brand', { header: 'Brand', meta: { sortKey: 'brand' } }),
  col.accessor('source', {
    header: 'Source',
    cell: (c) => c.getValue().toUpperCase(),
    meta: { sortKey: 'source' },
  }),
  col.accessor('reg', {
    header: () => <span className="tc-REG">REG</span>,
    cell: (c) => <span className="tc-REG">{formatCount(c.getValue())}</span>,
    meta: { numeric: true, sortKey: 'reg' },
  }),
  col.accessor('ftd', {
    header: () => <span className="tc-FTD">FTD</span>,
    cell: (c) => <span className="tc-FTD">{formatCount(c.getValue())}</span>,
    meta: { numeric: true, sortKey: 'ftd' },
  }),
  col.accessor('conversion', {
    header: 'Conversion %',
    cell: (c) =>
      c.row.original.suspicious ? (
        <span className="pill bad" title="suspicious: above the ratio with enough REGs">
          {formatRate(c.getValue())}
        </span>
      ) : (
        formatRate(c.getValue())
      ),
    meta: { numeric: true, sortKey: 'conversion' },
  }),
  col.accessor('failed_notifs', {
    header: 'Failed notifs',
    cell: (c) => (c.getValue() > 0 ? <span className="pill bad">{formatCount(c.getValue())}</span> : '0'),
    meta: { numeric: true, sortKey: 'failed_notifs' },
  }),
  col.accessor('orphan_ftds', {
    header: 'Orphan FTDs',
    cell: (c) => (c.getValue() > 0 ? <span className="pill warn">{formatCount(c.getValue())}</span> : '0'),
    meta: { numeric: true, sortKey: 'orphan_ftds' },
  }),
  col.accessor('rejected', {
    header: 'Rejected events',
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true, sortKey: 'rejected' },
  }),
];

export function DealsPage() {
  const period = usePeriod(PAGE_PERIODS.deals);
  const [s, set] = useUrlState(dealsSearch);
  const filters = useMemo(
    () => ({ ...period.params, brand: s.brand, source: s.source }),
    [period.params, s.brand, s.source],
  );
  const params = { ...filters, problems_only: s.problems ? 'true' : undefined, sort: s.sort, order: s.order };
  const deals = useQuery({
    queryKey: ['deals', params],
    queryFn: ({ signal }) => api.get<Deals>('/api/v1/deals', params, signal),
    placeholderData: keepPreviousData,
  });
  const close = useCallback(() => set({ deal: undefined }), [set]);
  const me = useMe();
  const data = deals.data;
  const problems = data?.rows.filter((r) => r.problems).length ?? 0;
  const active = [s.brand, s.source, s.problems].filter(Boolean).length;
  const [dealBrand, dealSource] = s.deal?.split('/') ?? [];
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="deals-total">
          {data
            ? `${formatCount(data.rows.length)} deal rows · ${formatCount(problems)} with problems · suspicious above ${formatRate(data.suspicious_ratio, 0)} FTD/REG with at least ${data.suspicious_min_reg} REG`
            : 'Loading deals…'}
        </div>
        <div className="toolbar">
          <a
            className="btn"
            href={`/api/v1/deals/export${toQueryString({ ...params, format: 'csv' })}`}
            download
            data-testid="export-csv"
          >
            <DownloadIcon /> CSV
          </a>
          <a
            className="btn"
            href={`/api/v1/deals/export${toQueryString({ ...params, format: 'xlsx' })}`}
            download
          >
            <DownloadIcon /> Excel
          </a>
        </div>
      </div>
      <search className="filters" aria-label="Deal filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
        <SourceSelect value={s.source} onChange={(source) => set({ source })} />
        <CheckField label="Problems only" checked={s.problems} onChange={(problems) => set({ problems })} />
        <ClearFilters
          count={active}
          onClear={() => set({ brand: undefined, source: undefined, problems: false })}
        />
      </search>
      {data && data.unattributed_rejections > 0 ? (
        <div className="note" data-testid="unattributed-rejections">
          {formatCount(data.unattributed_rejections)}{' '}
          {data.unattributed_rejections === 1 ? 'rejection' : 'rejections'} in this period could not be tied
          to a brand and source (unknown source, no brand, or a brand never accepted), so no row shows{' '}
          {data.unattributed_rejections === 1 ? 'it' : 'them'}
          {me.data?.user.role === 'admin' ? (
            <>
              : see <Link to="/admin/rejections">Rejections</Link>
            </>
          ) : null}
          .
        </div>
      ) : null}
      <div className="note">
        A conversion above the suspicious ratio or any orphan FTD points at a misconfigured postback setup:
        check it with the brand or the network. Click a row for the events behind it.
      </div>
      {deals.isError && !data ? (
        <div className="card">
          <ErrorState
            error={deals.error}
            onRetry={() => deals.refetch()}
            title="Could not load the deal audit"
          />
        </div>
      ) : !data ? (
        <TableSkeleton rows={14} columns={8} />
      ) : data.rows.length === 0 ? (
        <div className="card">
          <EmptyState title={s.problems ? 'No problems in this period' : 'No deals in this period'}>
            {s.problems ? 'Every brand × source looks healthy.' : 'Pick a longer period in the top bar.'}
          </EmptyState>
        </div>
      ) : (
        <div style={{ opacity: deals.isPlaceholderData ? 0.6 : 1 }}>
          <DataTable
            label="Deals"
            columns={columns}
            data={data.rows}
            rowProps={(row) => ({
              'data-id': `${row.original.brand}/${row.original.source}`,
              className: row.original.problems ? 'problem' : '',
              onClick: () => set({ deal: `${row.original.brand}/${row.original.source}` }),
            })}
            serverSort={{
              sort: s.sort,
              order: s.order,
              onSort: (sort, order) => set({ sort: sort as typeof s.sort, order }),
            }}
          />
        </div>
      )}
      {dealBrand && dealSource ? (
        <DealDetail brand={dealBrand} source={dealSource} params={period.params} onClose={close} />
      ) : null}
    </>
  );
}
