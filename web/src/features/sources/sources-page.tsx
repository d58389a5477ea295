/**
 * Sources `/sources`: one card per affiliate network for the period (top bar) and brand: status
 * from its lag, events, CLICK/REG/FTD/CPA, CPA revenue, the three rates, last event and a trend.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { z } from 'zod';
import { api } from '../../api/client';
import type { Sources } from '../../api/types';
import { formatCount, formatRate, formatUtc, timeAgo } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { slugParam, useUrlState } from '../../lib/url-state';
import { StatusPill } from '../../ui/badge';
import { Sparkline } from '../../ui/sparkline';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states';
import { RevenueCell } from '../shared/count-columns';
import { BrandSelect, ClearFilters } from '../shared/filter-fields';

type SourceRow = Sources['rows'][number];
const sourcesSearch = z.object({ brand: slugParam() });

export const STATUS_TONE = { healthy: 'good', warning: 'warn', error: 'bad', unknown: 'neutral' } as const;

/** The lag: time since the source's last postback arrived (its event may be dated earlier). */
function lagText(minutes: number | null): string {
  if (minutes === null) return 'no postback yet';
  if (minutes < 60) return `last postback ${minutes} min ago`;
  if (minutes < 48 * 60) return `last postback ${Math.round(minutes / 60)} h ago`;
  return `last postback ${Math.round(minutes / 1440)} d ago`;
}

function SourceCard({ row, brand }: { row: SourceRow; brand?: string }) {
  const rates = [
    ['Click→REG', row.rates.click_to_reg],
    ['REG→FTD', row.rates.reg_to_ftd],
    ['REG→CPA', row.rates.reg_to_cpa],
  ] as const;
  return (
    <article className="card source-card" data-source={row.source} aria-labelledby={`src-${row.source}`}>
      <div className="card-head">
        <h2 id={`src-${row.source}`}>{row.name}</h2>
        <StatusPill tone={STATUS_TONE[row.status]}>{row.status.toUpperCase()}</StatusPill>
      </div>
      <div className="card-body" style={{ display: 'grid', gap: 10 }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-end', gap: 8 }}>
          <div>
            <div className="field-label">Events</div>
            <div className="big-num" data-testid="source-events">
              {formatCount(row.events)}
            </div>
          </div>
          <Sparkline values={row.trend.map((p) => p.events)} label={`${row.name} events trend`} />
        </div>
        <div className="mini-counts">
          {(['CLICK', 'REG', 'FTD', 'CPA'] as const).map((type) => (
            <div key={type} data-count={type}>
              <span className={`tc-${type}`}>{type}</span>
              <strong>{formatCount(row.counts[type])}</strong>
            </div>
          ))}
        </div>
        <div className="mini-counts">
          {rates.map(([label, rate]) => (
            <div key={label}>
              <span className="muted">{label}</span>
              <strong
                className={rate.colour === 'green' ? 'tone-up' : rate.colour === 'red' ? 'tone-down' : ''}
              >
                {formatRate(rate.value)}
              </strong>
            </div>
          ))}
        </div>
        <div style={{ display: 'grid', gap: 6, fontSize: 12.5 }}>
          <span style={{ display: 'flex', gap: 8 }}>
            <span className="muted">Revenue</span>
            <RevenueCell revenue={row.revenue} />
          </span>
          <span className="muted">
            {row.last_event_at ? (
              <time dateTime={row.last_event_at} title={formatUtc(row.last_event_at)}>
                last event dated {timeAgo(row.last_event_at)}
              </time>
            ) : (
              'no events'
            )}{' '}
            · {lagText(row.lag_minutes)}
          </span>
        </div>
        <Link
          className="muted"
          style={{ fontSize: 12.5 }}
          to={`/events?source=${encodeURIComponent(row.source)}${brand ? `&brand=${encodeURIComponent(brand)}` : ''}`}
        >
          Events from {row.name} →
        </Link>
      </div>
    </article>
  );
}

export function SourcesPage() {
  const period = usePeriod(PAGE_PERIODS.sources);
  const [s, set] = useUrlState(sourcesSearch);
  const params = { ...period.params, brand: s.brand };
  const sources = useQuery({
    queryKey: ['sources', params],
    queryFn: ({ signal }) => api.get<Sources>('/api/v1/sources', params, signal),
    placeholderData: keepPreviousData,
  });
  const data = sources.data;
  return (
    <>
      <search className="filters" aria-label="Source filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
        <ClearFilters count={s.brand ? 1 : 0} onClear={() => set({ brand: undefined })} />
      </search>
      {sources.isError && !data ? (
        <div className="card">
          <ErrorState
            error={sources.error}
            onRetry={() => sources.refetch()}
            title="Could not load the sources"
          />
        </div>
      ) : !data ? (
        <div className="grid-cards" aria-busy="true">
          {Array.from({ length: 4 }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <div key={i} className="card" style={{ padding: 14 }}>
              <Skeleton height={236} />
            </div>
          ))}
        </div>
      ) : data.rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No sources registered yet">
            Add one with <code>npx affpanel source add &lt;slug&gt; --template &lt;platform&gt;</code>.
          </EmptyState>
        </div>
      ) : (
        <div className="grid-cards" style={{ opacity: sources.isPlaceholderData ? 0.6 : 1 }}>
          {data.rows.map((row) => (
            <SourceCard key={row.source} row={row} brand={s.brand} />
          ))}
        </div>
      )}
    </>
  );
}
