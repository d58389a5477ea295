/**
 * A brand's page `/brands/:slug`: its KPIs and rates, activity chart, sources and affiliates
 * (counts, revenue, rates) and its recent events, for the period in the top bar.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import { ApiError, api } from '../../api/client';
import type { Brand } from '../../api/types';
import { formatCount } from '../../lib/format';
import { PAGE_PERIODS, periodSearch, usePeriod } from '../../lib/periods';
import { ActivityChart, ChartLegend } from '../../ui/chart';
import { type Columns, DataTable } from '../../ui/data-table';
import { KpiCards, RateCards, RevenueCard } from '../../ui/kpi';
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from '../../ui/states';
import { RecentFeed } from '../dashboard/recent-feed';
import { countColumns, RevenueCell, rateColumns } from '../shared/count-columns';

type Breakdown = Brand['sources'][number];
const col = createColumnHelper<Breakdown>();

function breakdownColumns(keyHeader: string, link?: (key: string) => string): Columns<Breakdown> {
  return [
    col.accessor('key', {
      header: keyHeader,
      cell: (c) => (link ? <Link to={link(c.getValue())}>{c.getValue()}</Link> : c.getValue().toUpperCase()),
    }),
    col.accessor('events', {
      header: 'Events',
      cell: (c) => formatCount(c.getValue()),
      meta: { numeric: true },
    }),
    ...countColumns<Breakdown>(['CLICK', 'REG', 'FTD', 'CPA']),
    col.accessor('revenue', {
      header: 'Revenue',
      cell: (c) => <RevenueCell revenue={c.getValue()} />,
      meta: { numeric: true },
    }),
    ...rateColumns<Breakdown>(),
  ];
}

const sourceColumns = breakdownColumns('Source');
const affiliateColumns = breakdownColumns(
  'Affiliate',
  (id) => `/affiliates/${encodeURIComponent(id)}${periodSearch()}`,
);

export function BrandPage() {
  const { slug = '' } = useParams();
  const period = usePeriod(PAGE_PERIODS.brands);
  const brand = useQuery({
    queryKey: ['brand', slug, period.params],
    queryFn: ({ signal }) =>
      api.get<Brand>(`/api/v1/brands/${encodeURIComponent(slug)}`, period.params, signal),
    placeholderData: keepPreviousData,
  });
  const data = brand.data;
  if (brand.isError && !data) {
    const missing = brand.error instanceof ApiError && brand.error.status === 404;
    return (
      <div className="card">
        {missing ? (
          <EmptyState title={`No brand “${slug}”`}>
            <Link to="/brands">All brands</Link>
          </EmptyState>
        ) : (
          <ErrorState error={brand.error} onRetry={() => brand.refetch()} />
        )}
      </div>
    );
  }
  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/brands${window.location.search}`} className="muted">
            ← Brands
          </Link>
          <h2 style={{ fontSize: 18, marginTop: 4 }} data-testid="brand-name">
            {data?.brand.name ?? slug}
          </h2>
        </div>
        <Link className="btn" to={`/events?brand=${encodeURIComponent(slug)}`}>
          Events of this brand →
        </Link>
      </div>
      <KpiCards counts={data?.summary.counts} />
      {data ? <RevenueCard revenue={data.summary.revenue} base={data.summary.revenue_base} /> : null}
      <RateCards rates={data?.summary.rates} />
      <div className="dash-lower">
        <section className="card" aria-labelledby="brand-activity">
          <div className="card-head">
            <h2 id="brand-activity">Activity</h2>
            <ChartLegend />
          </div>
          {data ? (
            <ActivityChart points={data.series} granularity={data.period.granularity} height={260} />
          ) : (
            <div className="chart-box" style={{ height: 260 }} aria-busy="true">
              <Skeleton height="100%" />
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="brand-recent">
          <div className="card-head">
            <h2 id="brand-recent">Recent events</h2>
          </div>
          {data ? (
            data.recent.length === 0 ? (
              <EmptyState title="No recent events" />
            ) : (
              <RecentFeed rows={data.recent.slice(0, 10)} show="source" />
            )
          ) : (
            <div style={{ padding: 14 }} aria-busy="true">
              <Skeleton height={200} />
            </div>
          )}
        </section>
      </div>
      <section aria-labelledby="brand-sources" className="stack">
        <h2 id="brand-sources">Sources</h2>
        {data ? (
          data.sources.length === 0 ? (
            <div className="card">
              <EmptyState title="No source sent events for this brand in this period" />
            </div>
          ) : (
            <DataTable label="Brand sources" columns={sourceColumns} data={data.sources} />
          )
        ) : (
          <TableSkeleton rows={3} columns={10} />
        )}
      </section>
      <section aria-labelledby="brand-affiliates" className="stack">
        <h2 id="brand-affiliates">Affiliates</h2>
        {data ? (
          data.affiliates.length === 0 ? (
            <div className="card">
              <EmptyState title="No affiliate events for this brand in this period" />
            </div>
          ) : (
            <DataTable label="Brand affiliates" columns={affiliateColumns} data={data.affiliates} />
          )
        ) : (
          <TableSkeleton rows={5} columns={10} />
        )}
      </section>
    </>
  );
}
