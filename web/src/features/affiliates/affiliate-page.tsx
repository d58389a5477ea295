/** An affiliate's page `/affiliates/:id`: totals, revenue and rates; then by brand, sub-ID and tag. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { Affiliate } from '../../api/types';
import { formatCount, formatRate } from '../../lib/format';
import { PAGE_PERIODS, periodSearch, usePeriod } from '../../lib/periods';
import { type Columns, DataTable } from '../../ui/data-table';
import { KpiCards, RevenueCard } from '../../ui/kpi';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { countColumns, RevenueCell, rateColumns } from '../shared/count-columns';

type Breakdown = Affiliate['by_brand'][number];
const col = createColumnHelper<Breakdown>();

function columns(keyHeader: string, render?: (key: string) => React.ReactNode): Columns<Breakdown> {
  return [
    col.accessor('key', { header: keyHeader, cell: (c) => (render ? render(c.getValue()) : c.getValue()) }),
    col.accessor('events', {
      header: 'Events',
      cell: (c) => formatCount(c.getValue()),
      meta: { numeric: true },
    }),
    ...countColumns<Breakdown>(),
    col.accessor('revenue', {
      header: 'Revenue',
      cell: (c) => <RevenueCell revenue={c.getValue()} />,
      meta: { numeric: true },
    }),
    ...rateColumns<Breakdown>(),
  ];
}

const brandColumns = columns('Brand', (k) => (
  <Link to={`/brands/${encodeURIComponent(k)}${periodSearch()}`}>{k}</Link>
));
const subColumns = columns('Sub-ID');
const tagColumns = columns('Tag', (k) => <span className="tag-value">{k}</span>);

function Breakdown({
  title,
  rows,
  cols,
  note,
}: {
  title: string;
  rows?: Breakdown[];
  cols: Columns<Breakdown>;
  note?: string;
}) {
  return (
    <section className="stack" aria-label={title}>
      <h2>
        {title}{' '}
        {note ? (
          <span className="muted" style={{ fontWeight: 400, fontSize: 12 }}>
            · {note}
          </span>
        ) : null}
      </h2>
      {!rows ? (
        <TableSkeleton rows={4} columns={12} />
      ) : rows.length === 0 ? (
        <div className="card">
          <EmptyState title="Nothing in this period" />
        </div>
      ) : (
        <DataTable label={title} columns={cols} data={rows} clientSort />
      )}
    </section>
  );
}

export function AffiliatePage() {
  const { id = '' } = useParams();
  const period = usePeriod(PAGE_PERIODS.affiliates);
  const [search, setSearch] = useSearchParams();
  const scoped = ['brand', 'source'].filter((k) => search.get(k));
  const clearScope = () =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.delete('brand');
      next.delete('source');
      return next;
    });
  const params = {
    ...period.params,
    brand: search.get('brand') ?? undefined,
    source: search.get('source') ?? undefined,
  };
  const affiliate = useQuery({
    queryKey: ['affiliate', id, params],
    queryFn: ({ signal }) =>
      api.get<Affiliate>(`/api/v1/affiliates/${encodeURIComponent(id)}`, params, signal),
    placeholderData: keepPreviousData,
  });
  const d = affiliate.data;
  if (affiliate.isError && !d)
    return (
      <div className="card">
        <ErrorState error={affiliate.error} onRetry={() => affiliate.refetch()} />
      </div>
    );
  return (
    <>
      <div className="page-head">
        <div>
          <Link to={`/affiliates${window.location.search}`} className="muted">
            ← Affiliates
          </Link>
          <h2 style={{ fontSize: 18, marginTop: 4 }} data-testid="affiliate-id">
            Affiliate {id}
          </h2>
        </div>
        <div className="sub">
          {d
            ? `${formatCount(d.events)} events · Click→REG ${formatRate(d.rates.click_to_reg)} · REG→FTD ${formatRate(d.rates.reg_to_ftd)} · REG→CPA ${formatRate(d.rates.reg_to_cpa)}`
            : ' '}
        </div>
      </div>
      {scoped.length > 0 ? (
        // Carried over from the list's filters: the cards and By brand follow them, the sub-ID
        // and tag tables do not, so the page says so.
        <div className="note" data-testid="affiliate-scope">
          Only {scoped.map((k) => `${k} ${search.get(k)}`).join(' and ')} in the cards and By brand.{' '}
          <button type="button" className="btn-link" onClick={clearScope}>
            Show all brands and sources
          </button>
        </div>
      ) : null}
      <KpiCards counts={d?.counts} />
      {d ? <RevenueCard revenue={d.revenue} /> : null}
      <Breakdown title="By brand" rows={d?.by_brand} cols={brandColumns} />
      <Breakdown title="By sub-ID" rows={d?.by_sub_id} cols={subColumns} note="all brands and sources" />
      <Breakdown title="By tag" rows={d?.by_tag} cols={tagColumns} note="all brands and sources" />
    </>
  );
}
