/** A deal's drill-down: the orphan FTDs, rejected postbacks and failed notifications behind its flags. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { Deal } from '../../api/types';
import { formatLocal, formatMoney, formatUtc } from '../../lib/format';
import { SidePanel } from '../../ui/side-panel';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states';

export function DealDetail({
  brand,
  source,
  params,
  onClose,
}: {
  brand: string;
  source: string;
  params: Record<string, string | undefined>;
  onClose: () => void;
}) {
  const deal = useQuery({
    queryKey: ['deal', brand, source, params],
    queryFn: ({ signal }) =>
      api.get<Deal>(
        `/api/v1/deals/${encodeURIComponent(brand)}/${encodeURIComponent(source)}`,
        params,
        signal,
      ),
  });
  const d = deal.data;
  return (
    <SidePanel
      title={`${brand} · ${source.toUpperCase()}`}
      label={`Deal ${brand} ${source}`}
      onClose={onClose}
    >
      {deal.isError ? (
        <ErrorState error={deal.error} onRetry={() => deal.refetch()} />
      ) : !d ? (
        <div aria-busy="true" style={{ display: 'grid', gap: 10 }}>
          <Skeleton height={18} />
          <Skeleton height={120} />
          <Skeleton height={120} />
        </div>
      ) : (
        <div style={{ display: 'grid', gap: 18 }}>
          <section data-testid="deal-orphans">
            <h3>Orphan FTDs ({d.orphan_ftds.length})</h3>
            <p className="muted" style={{ fontSize: 12.5, margin: '4px 0 6px' }}>
              First deposits whose player has no registration from this source before them.
            </p>
            {d.orphan_ftds.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="plain-list">
                {d.orphan_ftds.map((e) => (
                  <li key={e.id}>
                    <Link to={`/events?brand=${encodeURIComponent(brand)}&type=FTD&event=${e.id}`}>
                      #{e.id}
                    </Link>{' '}
                    <time dateTime={e.time} title={formatUtc(e.time)}>
                      {formatLocal(e.time)}
                    </time>{' '}
                    <span className="muted">
                      aff {e.affiliate_id ?? '—'} · {formatMoney(e.amount, e.currency)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section data-testid="deal-rejections">
            <h3>Rejected postbacks ({d.rejections.length})</h3>
            {d.rejections.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="plain-list">
                {d.rejections.map((r) => (
                  <li key={r.id}>
                    <span className="pill bad">{r.code}</span> {r.reason}{' '}
                    <span className="muted">
                      · {r.attempts}× · last {formatLocal(r.last_seen_at)}
                    </span>
                    <pre className="raw">{r.raw_query}</pre>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section data-testid="deal-failures">
            <h3>Failed notifications ({d.failed_notifications.length})</h3>
            {d.failed_notifications.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="plain-list">
                {d.failed_notifications.map((f) => (
                  <li key={f.id}>
                    event #{f.event_id} ({f.type}) via {f.bot} · {f.attempts} attempts
                    {f.error ? <span className="muted"> · {f.error}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {d.orphan_ftds.length + d.rejections.length + d.failed_notifications.length === 0 ? (
            <EmptyState title="Nothing to investigate for this deal in this period" />
          ) : null}
        </div>
      )}
    </SidePanel>
  );
}
