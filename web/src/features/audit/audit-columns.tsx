/** The audit log's columns: time, actor, action, target, folded details, IP. */
import { createColumnHelper } from '@tanstack/react-table';
import { formatLocal, formatUtc } from '../../lib/format';
import type { Columns } from '../../ui/data-table';
import { AuditDetails } from './audit-details';
import type { AuditEntry } from './queries';

const col = createColumnHelper<AuditEntry>();

export const auditColumns: Columns<AuditEntry> = [
  col.accessor('at', {
    header: 'Time',
    cell: (c) => (
      <time dateTime={c.getValue()} title={formatUtc(c.getValue())} className="num nowrap">
        {formatLocal(c.getValue())}
      </time>
    ),
  }),
  col.accessor('actor', { header: 'Actor', cell: (c) => <span className="nowrap">{c.getValue()}</span> }),
  col.accessor('action', {
    header: 'Action',
    cell: (c) => <code className="au-action">{c.getValue()}</code>,
  }),
  col.accessor('targetType', {
    header: 'Target',
    cell: (c) => (
      <span className="nowrap">
        {c.getValue()}
        {c.row.original.targetId !== null ? <span className="muted"> #{c.row.original.targetId}</span> : null}
      </span>
    ),
  }),
  col.display({ id: 'details', header: 'Details', cell: (c) => <AuditDetails entry={c.row.original} /> }),
  col.accessor('ip', {
    header: 'IP',
    cell: (c) =>
      c.getValue() ? <span className="mono">{c.getValue()}</span> : <span className="muted">—</span>,
  }),
];
