/**
 * Stats `/stats`: dimension (source, tag, sender, geo, sheet) with a text filter for tag, sender
 * and geo; brand, source and test filters; the six KPI cards and three rates; the trend chart;
 * the breakdown table (sorted and paged by the server) with CSV and Excel export.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { api, toQueryString } from '../../api/client';
import type { StatRow, Stats, Timeseries } from '../../api/types';
import { formatCount } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { useUrlState } from '../../lib/url-state';
import { ActivityChart, ChartLegend } from '../../ui/chart';
import { type Columns, DataTable } from '../../ui/data-table';
import { DownloadIcon } from '../../ui/icons';
import { TextField } from '../../ui/inputs';
import { KpiCards, RateCards, RevenueCard } from '../../ui/kpi';
import { Pagination } from '../../ui/pagination';
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from '../../ui/states';
import { countColumns, rateColumns } from '../shared/count-columns';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';
import { TestSelect } from '../shared/test-select';
import { DIMENSION_LABELS, DIMENSIONS, SEARCHABLE, statsSearch } from './url-state';

const PAGE_SIZE = 50;
const col = createColumnHelper<StatRow>();

export function StatsPage() {
  const period = usePeriod(PAGE_PERIODS.stats);
  const [s, set] = useUrlState(statsSearch);
  const searchable = SEARCHABLE.includes(s.dimension);
  const filters = useMemo(
    () => ({
      ...period.params,
      brand: s.brand,
      source: s.source,
      test: s.test,
    }),
    [period.params, s.brand, s.source, s.test],
  );
  const params = {
    ...filters,
    dimension: s.dimension,
    search: searchable ? s.search : undefined,
    sort: s.sort,
    order: s.order,
    page: s.page,
    page_size: PAGE_SIZE,
  };
  const stats = useQuery({
    queryKey: ['stats', params],
    queryFn: ({ signal }) => api.get<Stats>('/api/v1/stats', params, signal),
    placeholderData: keepPreviousData,
  });
  const series = useQuery({
    queryKey: ['timeseries', filters],
    queryFn: ({ signal }) => api.get<Timeseries>('/api/v1/timeseries', filters, signal),
    placeholderData: keepPreviousData,
  });
  const columns: Columns<StatRow> = useMemo(
    () => [
      col.accessor('label', {
        header: DIMENSION_LABELS[s.dimension].replace('By ', ''),
        cell: (c) =>
          c.row.original.key === '' ? (
            <span className="muted">{c.getValue()}</span>
          ) : s.dimension === 'tag' ? (
            <span className="tag-value">{c.getValue()}</span>
          ) : (
            c.getValue()
          ),
        meta: { sortKey: 'key' },
      }),
      col.accessor('events', {
        header: 'Events',
        cell: (c) => formatCount(c.getValue()),
        meta: { numeric: true, sortKey: 'events' },
      }),
      ...countColumns<StatRow>(),
      ...rateColumns<StatRow>(),
    ],
    [s.dimension],
  );
  const active = [s.brand, s.source, s.test !== 'production', searchable && s.search].filter(Boolean).length;
  const exportHref = (format: 'csv' | 'xlsx') =>
    `/api/v1/stats/export${toQueryString({ ...filters, dimension: s.dimension, search: searchable ? s.search : undefined, sort: s.sort, order: s.order, format })}`;
  const data = stats.data;
  const pages = data ? Math.max(1, Math.ceil(data.total_rows / PAGE_SIZE)) : 1;

  return (
    <>
      <div className="page-head">
        <fieldset className="segmented">
          <legend className="sr-only">Dimension</legend>
          {DIMENSIONS.map((d) => (
            <button
              key={d}
              type="button"
              aria-pressed={s.dimension === d}
              onClick={() => set({ dimension: d, page: 1, sort: 'events', order: 'desc' })}
            >
              {DIMENSION_LABELS[d]}
            </button>
          ))}
        </fieldset>
        <div className="toolbar">
          <a className="btn" href={exportHref('csv')} download data-testid="export-csv">
            <DownloadIcon /> CSV
          </a>
          <a className="btn" href={exportHref('xlsx')} download data-testid="export-xlsx">
            <DownloadIcon /> Excel
          </a>
        </div>
      </div>

      <search className="filters" aria-label="Stats filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand, page: 1 })} />
        <SourceSelect value={s.source} onChange={(source) => set({ source, page: 1 })} />
        <TestSelect value={s.test} onChange={(test) => set({ test, page: 1 })} />
        {searchable ? (
          <TextField
            label={`${DIMENSION_LABELS[s.dimension].replace('By ', '')} contains`}
            className="wide"
            value={s.search ?? ''}
            placeholder={
              s.dimension === 'geo' ? 'e.g. ES' : s.dimension === 'tag' ? 'e.g. WA_FR' : 'e.g. crm-bot'
            }
            onChange={(search) => set({ search: search || undefined, page: 1 })}
          />
        ) : null}
        <ClearFilters
          count={active}
          onClear={() =>
            set({ brand: undefined, source: undefined, test: 'production', search: undefined, page: 1 })
          }
        />
      </search>

      {stats.isError && !data ? (
        <div className="card">
          <ErrorState error={stats.error} onRetry={() => stats.refetch()} title="Could not load the stats" />
        </div>
      ) : (
        <>
          {data?.summary_search ? (
            <div className="note" data-testid="summary-scope">
              The cards count only the {DIMENSION_LABELS[s.dimension].replace('By ', '').toLowerCase()} values
              containing “{data.summary_search}”, like the table; the trend below shows them all.
            </div>
          ) : null}
          <KpiCards counts={data?.summary.counts} />
          {data ? <RevenueCard revenue={data.summary.revenue} base={data.summary.revenue_base} /> : null}
          <RateCards rates={data?.summary.rates} />
        </>
      )}

      <section className="card" aria-labelledby="trend-title">
        <div className="card-head">
          <h2 id="trend-title">{series.data?.granularity === 'hour' ? 'Hourly trend' : 'Daily trend'}</h2>
          <ChartLegend />
        </div>
        {series.isError && !series.data ? (
          <ErrorState
            error={series.error}
            onRetry={() => series.refetch()}
            title="Could not load the trend"
          />
        ) : series.data ? (
          <ActivityChart points={series.data.points} granularity={series.data.granularity} height={240} />
        ) : (
          <div className="chart-box" style={{ height: 240 }} aria-busy="true">
            <Skeleton height="100%" />
          </div>
        )}
      </section>

      <section aria-labelledby="breakdown-title" className="stack">
        <div className="page-head">
          <h2 id="breakdown-title">
            {DIMENSION_LABELS[s.dimension]}{' '}
            <span className="muted" style={{ fontWeight: 400 }} data-testid="stats-rows">
              · {data ? `${formatCount(data.total_rows)} rows` : '…'}
            </span>
          </h2>
        </div>
        {stats.isError && !data ? null : !data ? (
          <TableSkeleton rows={10} columns={11} />
        ) : data.rows.length === 0 ? (
          <div className="card">
            <EmptyState title="Nothing to break down in this period">
              {active > 0 ? 'Try clearing the filters or ' : 'Try '}a longer period in the top bar.
            </EmptyState>
          </div>
        ) : (
          <div style={{ opacity: stats.isPlaceholderData ? 0.6 : 1 }}>
            <DataTable
              label={`Stats ${DIMENSION_LABELS[s.dimension]}`}
              columns={columns}
              data={data.rows}
              rowProps={(row) => ({ 'data-id': row.original.key })}
              serverSort={{
                sort: s.sort,
                order: s.order,
                onSort: (sort, order) => set({ sort: sort as typeof s.sort, order, page: 1 }),
              }}
            />
          </div>
        )}
        {data && pages > 1 ? (
          <Pagination
            page={data.page}
            pages={pages}
            onPage={(page) => set({ page })}
            summary={`Page ${data.page} of ${pages}`}
          />
        ) : null}
      </section>
    </>
  );
}
