/** The rejections table: when, from which source, why, how often, and the raw query as stored. */
import { createColumnHelper } from '@tanstack/react-table';
import { formatCount, formatLocal, formatUtc } from '../../lib/format';
import type { Columns } from '../../ui/data-table';
import { EyeIcon } from '../../ui/icons';
import type { RejectionRow } from './queries';
import { reasonLabel } from './reasons';

const col = createColumnHelper<RejectionRow>();

export function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatUtc(iso)} className="num nowrap" style={{ textAlign: 'left' }}>
      {formatLocal(iso)}
    </time>
  );
}

export function ReasonCell({ code, reason }: { code: string; reason: string }) {
  return (
    <span className="rj-reason">
      <span className="pill bad" title={reasonLabel(code)}>
        {code}
      </span>{' '}
      <span>{reason}</span>
    </span>
  );
}

export function rejectionColumns(onOpen: (row: RejectionRow) => void): Columns<RejectionRow> {
  return [
    col.accessor('last_seen_at', { header: 'Last seen', cell: (c) => <Time iso={c.getValue()} /> }),
    col.accessor('source', { header: 'Source' }),
    col.accessor('brand', {
      header: 'Brand',
      cell: (c) => c.getValue() ?? <span className="muted">—</span>,
    }),
    col.accessor('code', {
      header: 'Reason',
      cell: (c) => <ReasonCell code={c.getValue()} reason={c.row.original.reason} />,
    }),
    col.accessor('attempts', {
      header: 'Attempts',
      cell: (c) => formatCount(c.getValue()),
      meta: { numeric: true },
    }),
    col.accessor('first_seen_at', { header: 'First seen', cell: (c) => <Time iso={c.getValue()} /> }),
    col.accessor('raw_query', {
      header: 'Raw query',
      cell: (c) => (
        <span className="mono rj-raw" title={c.getValue()}>
          {c.getValue() || <span className="muted">—</span>}
        </span>
      ),
    }),
    col.display({
      id: 'open',
      header: () => (
        <>
          <EyeIcon size={14} />
          <span className="sr-only">Details</span>
        </>
      ),
      cell: (c) => (
        <button
          type="button"
          className="eye"
          aria-label={`Open rejection ${c.row.original.id}`}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(c.row.original);
          }}
        >
          <EyeIcon />
        </button>
      ),
    }),
  ];
}
