/** The event log's columns, as the description lists them. */
import { createColumnHelper } from '@tanstack/react-table';
import type { EventItem } from '../../api/types';
import { formatLocal, formatMoney, formatUtc } from '../../lib/format';
import { TypeBadge } from '../../ui/badge';
import { EyeIcon } from '../../ui/icons';

const col = createColumnHelper<EventItem>();

export function eventColumns(onOpen: (id: number) => void) {
  return [
    col.accessor('time', {
      header: 'Time',
      cell: (c) => (
        <time
          dateTime={c.getValue()}
          title={formatUtc(c.getValue())}
          className="num"
          style={{ textAlign: 'left' }}
        >
          {formatLocal(c.getValue())}
        </time>
      ),
    }),
    col.accessor('type', { header: 'Type', cell: (c) => <TypeBadge type={c.getValue()} /> }),
    col.accessor('brand', { header: 'Brand' }),
    col.accessor('source_name', { header: 'Source' }),
    col.accessor('affiliate_id', { header: 'Affiliate', cell: (c) => c.getValue() ?? '' }),
    col.accessor('sub_id', { header: 'SubID', cell: (c) => c.getValue() ?? '' }),
    col.accessor('tracking_tag', {
      header: 'Tag',
      cell: (c) => {
        const tag = c.getValue();
        if (!tag) return '';
        const broken = c.row.original.broken_macro;
        return (
          <span className="tag-value" title={broken ? `broken: unsubstituted macro ${broken}` : tag}>
            {tag}
            {broken ? ' ⚠' : ''}
          </span>
        );
      },
    }),
    col.accessor('amount', {
      header: 'Amount',
      cell: (c) => (c.getValue() === null ? '' : formatMoney(c.getValue(), c.row.original.currency)),
      meta: { numeric: true },
    }),
    col.accessor('country', { header: 'GEO', cell: (c) => c.getValue() ?? '' }),
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
          aria-label={`Open event ${c.row.original.id}`}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(c.row.original.id);
          }}
        >
          <EyeIcon />
        </button>
      ),
    }),
  ];
}
