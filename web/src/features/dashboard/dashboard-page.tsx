/**
 * Dashboard `/`: filters (period in the top bar, brand, source) in the URL; six KPI cards (CPA
 * highlighted), Revenue when CPA revenue > 0, three conversion cards; the activity chart (hourly
 * for Today/Yesterday) and the recent-events feed: new events arrive at its top by server push
 * (with a Live mark), and the figures follow; refreshed on focus too.
 */
import { useMemo } from 'react';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { useUrlState } from '../../lib/url-state';
import { ActivityChart, ChartLegend } from '../../ui/chart';
import { InboxIcon } from '../../ui/icons';
import { KpiCards, RateCards, RevenueCard } from '../../ui/kpi';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';
import { FirstPostbackHint } from '../shared/first-postback-hint';
import { LiveIndicator } from './live-indicator';
import { useRecentEvents, useSummary, useTimeseries } from './queries';
import { RecentFeed } from './recent-feed';
import { dashboardSearch } from './url-state';
import { useDashboardLive } from './use-dashboard-live';

export function DashboardPage() {
  const period = usePeriod(PAGE_PERIODS.dashboard);
  const [filters, setFilters] = useUrlState(dashboardSearch);
  const params = useMemo(
    () => ({ ...period.params, brand: filters.brand, source: filters.source }),
    [period.params, filters.brand, filters.source],
  );
  const summary = useSummary(params);
  const series = useTimeseries(params);
  const live = useDashboardLive(filters.brand, filters.source, period);
  const recent = useRecentEvents(filters.brand, filters.source, live.status === 'live');
  const active = (filters.brand ? 1 : 0) + (filters.source ? 1 : 0);

  return (
    <>
      <search className="filters" aria-label="Dashboard filters">
        <BrandSelect value={filters.brand} onChange={(brand) => setFilters({ brand })} />
        <SourceSelect value={filters.source} onChange={(source) => setFilters({ source })} />
        <ClearFilters count={active} onClear={() => setFilters({ brand: undefined, source: undefined })} />
      </search>

      {summary.isError && !summary.data ? (
        <div className="card">
          <ErrorState
            error={summary.error}
            onRetry={() => summary.refetch()}
            title="Could not load the KPIs"
          />
        </div>
      ) : (
        <>
          <KpiCards counts={summary.data?.counts} />
          {summary.data ? (
            <RevenueCard revenue={summary.data.revenue} base={summary.data.revenue_base} />
          ) : null}
          <RateCards rates={summary.data?.rates} />
        </>
      )}

      <div className="dash-lower">
        <section className="card dash-chart" aria-labelledby="activity-title">
          <div className="card-head">
            <h2 id="activity-title">
              Activity{' '}
              <span className="muted" style={{ fontWeight: 400 }}>
                · {series.data?.granularity === 'hour' ? 'hourly' : 'daily'}
              </span>
            </h2>
            <ChartLegend />
          </div>
          {series.isError && !series.data ? (
            <ErrorState
              error={series.error}
              onRetry={() => series.refetch()}
              title="Could not load the chart"
            />
          ) : series.data ? (
            <ActivityChart points={series.data.points} granularity={series.data.granularity} />
          ) : (
            <div className="chart-box" aria-busy="true">
              <Skeleton height="100%" />
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="recent-title">
          <div className="card-head">
            <h2 id="recent-title">Recent events</h2>
            <span className="recent-meta">
              <LiveIndicator status={live.status} />
              <span className="muted">last 15</span>
            </span>
          </div>
          {recent.isError && !recent.data ? (
            <ErrorState error={recent.error} onRetry={() => recent.refetch()} />
          ) : recent.data ? (
            recent.data.rows.length === 0 ? (
              <EmptyState title="No events yet" icon={<InboxIcon />}>
                <FirstPostbackHint />
              </EmptyState>
            ) : (
              <RecentFeed rows={recent.data.rows} fresh={live.fresh} />
            )
          ) : (
            <div style={{ padding: 14, display: 'grid', gap: 12 }} aria-busy="true">
              {Array.from({ length: 10 }, (_, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
                <Skeleton key={i} height={16} />
              ))}
            </div>
          )}
        </section>
      </div>
    </>
  );
}
