/**
 * A bot's recent deliveries in its edit panel: when, what (the event's type, brand and source, a
 * test message, an alert or a digest), status, attempts and Telegram's error, newest first, with a
 * status filter. Refreshes every few seconds while something is still on its way.
 */

import { useState } from 'react';
import { formatLocal, formatUtc } from '../../lib/format';
import { TypeBadge } from '../../ui/badge';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { DeliveryPill } from './bot-cells';
import { DELIVERY_STATUSES, type DeliveryStatus, type PublicDelivery, useDeliveries } from './bots-api';

function What({ d }: { d: PublicDelivery }) {
  if (d.event)
    return (
      <>
        <TypeBadge type={d.event.type} /> {d.event.brand} · {d.event.source}
        {d.digestSize ? <span className="muted"> (in a digest of {d.digestSize})</span> : null}
      </>
    );
  return <span className="muted">{d.kind === 'test' ? 'test message' : d.kind}</span>;
}

export function DeliveriesList({ botId }: { botId: number }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const deliveries = useDeliveries(botId, status);
  const rows = deliveries.data?.deliveries;
  return (
    <section className="stack" aria-label="Recent deliveries">
      <div className="bot-deliveries-head">
        <h3 className="bot-section">Recent deliveries</h3>
        <select
          className="select"
          value={status}
          onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}
          aria-label="Delivery status"
        >
          <option value="">All statuses</option>
          {DELIVERY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-ghost" onClick={() => deliveries.refetch()}>
          ↺ Refresh
        </button>
      </div>
      {deliveries.isError ? (
        <ErrorState
          error={deliveries.error}
          title="Could not load the deliveries"
          onRetry={() => deliveries.refetch()}
        />
      ) : rows === undefined ? (
        <TableSkeleton rows={4} columns={4} />
      ) : rows.length === 0 ? (
        <EmptyState title={status ? `No ${status} deliveries` : 'No deliveries yet'}>
          Events in its scope, test messages and alerts show up here with their status.
        </EmptyState>
      ) : (
        <ul className="bot-deliveries" data-testid="deliveries">
          {rows.map((d) => (
            <li key={d.id} data-id={d.id} data-status={d.status}>
              <div className="bot-delivery-top">
                <DeliveryPill status={d.status} />
                <span className="bot-delivery-what">
                  <What d={d} />
                </span>
                <time dateTime={d.createdAt} title={formatUtc(d.createdAt)} className="muted">
                  {formatLocal(d.createdAt)}
                </time>
              </div>
              {d.attempts > 1 || d.error ? (
                <div className="bot-delivery-detail">
                  {d.attempts > 1 ? <span className="muted">{d.attempts} attempts</span> : null}
                  {d.error ? <span className="bot-error">{d.error}</span> : null}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
