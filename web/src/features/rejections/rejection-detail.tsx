/** The rejection side panel: every stored field of one rejected postback, raw text shown as stored. */
import type { ReactNode } from 'react';
import { formatCount } from '../../lib/format';
import { SidePanel } from '../../ui/side-panel';
import type { RejectionRow } from './queries';
import { reasonLabel } from './reasons';
import { Time } from './rejection-columns';

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

export function RejectionDetailPanel({ row, onClose }: { row: RejectionRow; onClose: () => void }) {
  return (
    <SidePanel title={`Rejection #${row.id}`} label={`Rejection ${row.id} details`} onClose={onClose}>
      <dl className="fields" data-testid="rejection-fields">
        <Field name="Rejection ID">{row.id}</Field>
        <Field name="Reason code">
          <span className="pill bad">{row.code}</span> {reasonLabel(row.code)}
        </Field>
        <Field name="Reason">{row.reason}</Field>
        <Field name="Field">{row.field ? <code>{row.field}</code> : null}</Field>
        <Field name="Source">{row.source}</Field>
        <Field name="Brand">{row.brand}</Field>
        <Field name="Attempts">{formatCount(row.attempts)}</Field>
        <Field name="First seen">
          <Time iso={row.first_seen_at} />
        </Field>
        <Field name="Last seen">
          <Time iso={row.last_seen_at} />
        </Field>
        <Field name="Method">{row.method}</Field>
        <Field name="IP">{row.ip}</Field>
        <Field name="User agent">{row.user_agent}</Field>
      </dl>
      <h3 style={{ marginTop: 16 }}>Raw query</h3>
      <pre className="raw" data-testid="rejection-raw-query">
        {row.raw_query || '—'}
      </pre>
      <h3 style={{ marginTop: 16 }}>Raw body</h3>
      <pre className="raw">{row.raw_body ?? '—'}</pre>
      <p className="muted" style={{ fontSize: 12 }}>
        Keys are replaced by *** when a rejection is stored; the rest is kept exactly as it arrived.
      </p>
    </SidePanel>
  );
}
