/** The event detail side panel: every raw field of one event, as stored. */
import type { ReactNode } from 'react';
import type { EventDetail } from '../../api/types';
import { formatLocal, formatMoney, formatUtc } from '../../lib/format';
import { TypeBadge } from '../../ui/badge';
import { SidePanel } from '../../ui/side-panel';
import { ErrorState, Skeleton } from '../../ui/states';
import { useEvent } from './queries';

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        {children === null || children === undefined || children === '' ? (
          <span className="muted">—</span>
        ) : (
          children
        )}
      </dd>
    </>
  );
}

function Fields({ e }: { e: EventDetail }) {
  return (
    <>
      <dl className="fields" data-testid="event-fields">
        <Field name="Event ID">{e.id}</Field>
        <Field name="Time">
          {formatLocal(e.time)} <span className="muted">({formatUtc(e.time)})</span>
        </Field>
        <Field name="Received">{formatUtc(e.received_at)}</Field>
        <Field name="Type">
          <TypeBadge type={e.type} />
        </Field>
        <Field name="Brand">{e.brand}</Field>
        <Field name="Source">
          {e.source_name} <span className="muted">({e.source})</span>
        </Field>
        <Field name="Raw Event">
          <code>{e.raw_event}</code>
        </Field>
        <Field name="Affiliate ID">{e.affiliate_id}</Field>
        <Field name="SubID">{e.sub_id}</Field>
        <Field name="External UID">{e.external_uid}</Field>
        <Field name="Transaction ID">{e.transaction_id}</Field>
        <Field name="Tracking Tag">
          {e.tracking_tag ? <span className="tag-value">{e.tracking_tag}</span> : null}
        </Field>
        <Field name="Traffic Source">{e.traffic_source}</Field>
        <Field name="Country">{e.country}</Field>
        <Field name="Amount">{e.amount === null ? null : formatMoney(e.amount, e.currency)}</Field>
        <Field name="Test flag">{e.is_test ? 'test event' : 'production'}</Field>
        <Field name="Sender">{e.sender}</Field>
        <Field name="Sheet">{e.sheet}</Field>
        <Field name="Broken macro">
          {e.broken_macro ? (
            <span className="pill warn">
              {e.broken_macro} in {e.broken_fields.join(', ')}
            </span>
          ) : null}
        </Field>
        <Field name="IP">{e.ip}</Field>
      </dl>
      <h3 style={{ marginTop: 16 }}>Raw query</h3>
      <pre className="raw">{e.raw_query || '—'}</pre>
      {e.raw_body ? (
        <>
          <h3 style={{ marginTop: 16 }}>Raw body</h3>
          <pre className="raw">{e.raw_body}</pre>
        </>
      ) : null}
    </>
  );
}

export function EventDetailPanel({ id, onClose }: { id: number; onClose: () => void }) {
  const event = useEvent(id);
  return (
    <SidePanel title={`Event #${id}`} label={`Event ${id} details`} onClose={onClose}>
      {event.data ? (
        <Fields e={event.data} />
      ) : event.isError ? (
        <ErrorState error={event.error} onRetry={() => event.refetch()} />
      ) : (
        <div style={{ display: 'grid', gap: 12 }} aria-busy="true">
          {Array.from({ length: 14 }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <Skeleton key={i} height={18} />
          ))}
        </div>
      )}
    </SidePanel>
  );
}
