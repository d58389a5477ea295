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
  col.accessor('actor', {
    header: 'Actor',
    cell: (c) => (
      <span className="nowrap">
        {c.row.original.actorName ?? c.getValue()}
        {c.row.original.actorName ? <span className="muted"> {c.getValue()}</span> : null}
      </span>
    ),
  }),
  col.accessor('action', {
    header: 'Action',
    cell: (c) => <code className="au-action">{c.getValue()}</code>,
  }),
  col.accessor('targetType', {
    header: 'Target',
    cell: (c) => (
      <span className="nowrap">
        {c.row.original.targetName ? `${c.row.original.targetName} ` : ''}
        <span className={c.row.original.targetName ? 'muted' : undefined}>
          {c.getValue()}
          {c.row.original.targetId !== null ? ` #${c.row.original.targetId}` : null}
        </span>
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
