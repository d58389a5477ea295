/**
 * Broken Tags `/admin/broken-tags` (admins): tracking tags, sub-IDs or affiliate IDs that arrived
 * with an unsubstituted macro. Summary cards, then brand × affiliate × sub-ID × macro rows with
 * a sample tag; period (top bar), brand, affiliate, macro and search filters.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { z } from 'zod';
import { api } from '../../api/client';
import type { BrokenTags } from '../../api/types';
import { formatCount, formatLocal, formatUtc } from '../../lib/format';
import { PAGE_PERIODS, usePeriod } from '../../lib/periods';
import { slugParam, textParam, useUrlState } from '../../lib/url-state';
import { type Columns, DataTable } from '../../ui/data-table';
import { TextField } from '../../ui/inputs';
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from '../../ui/states';
import { BrandSelect, ClearFilters } from '../shared/filter-fields';

type Row = BrokenTags['rows'][number];
/** An unsubstituted macro as it arrives in a broken tag (text, not a template). */
const MACRO_EXAMPLE = ['$', '{clickId}'].join('');
const col = createColumnHelper<Row>();

const search = z.object({
  brand: slugParam(),
  affiliate: textParam(128),
  macro: textParam(64),
  search: textParam(200),
});

const when = (iso: string) => <time title={formatUtc(iso)}>{formatLocal(iso).slice(0, 16)}</time>;

const columns: Columns<Row> = [
  col.accessor('brand', { header: 'Brand' }),
  col.accessor('affiliate_id', {
    header: 'Affiliate ID',
    cell: (c) => c.getValue() || <span className="muted">—</span>,
  }),
  col.accessor('sub_id', { header: 'SubID', cell: (c) => c.getValue() || <span className="muted">—</span> }),
  col.accessor('events', {
    header: 'Events',
    cell: (c) => (
      <span className={c.getValue() >= 50 ? 'pill bad' : c.getValue() >= 10 ? 'pill warn' : ''}>
        {formatCount(c.getValue())}
      </span>
    ),
    meta: { numeric: true },
  }),
  col.accessor('clicks', {
    header: () => <span className="tc-CLICK">Clicks</span>,
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('regs', {
    header: () => <span className="tc-REG">REGs</span>,
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true },
  }),
  col.accessor('ftds', {
    header: () => <span className="tc-FTD">FTDs</span>,
    cell: (c) => formatCount(c.getValue()),
    meta: { numeric: true },
  }),
  // Not a column of the description, but the group's key: the sample tag shows the macro only
  // when the tracking tag is the broken field, not when the sub-ID or affiliate id is.
  col.accessor('macro', {
    header: 'Macro',
    cell: (c) => <code className="macro-value">{c.getValue()}</code>,
  }),
  col.accessor('sample_tag', {
    header: 'Sample tag',
    cell: (c) => <span className="tag-value">{c.getValue()}</span>,
  }),
  col.accessor('first_seen', { header: 'First seen', cell: (c) => when(c.getValue()) }),
  col.accessor('last_seen', { header: 'Last seen', cell: (c) => when(c.getValue()) }),
];

export function BrokenTagsPage() {
  const period = usePeriod(PAGE_PERIODS.brokenTags);
  const [s, set] = useUrlState(search);
  const params = {
    ...period.params,
    brand: s.brand,
    affiliate: s.affiliate,
    macro: s.macro,
    search: s.search,
  };
  const tags = useQuery({
    queryKey: ['broken-tags', params],
    queryFn: ({ signal }) => api.get<BrokenTags>('/api/v1/broken-tags', params, signal),
    placeholderData: keepPreviousData,
  });
  const d = tags.data;
  const active = [s.brand, s.affiliate, s.macro, s.search].filter(Boolean).length;
  const cards = [
    ['BROKEN EVENTS', d?.summary.broken_events],
    ['GROUPED ROWS', d?.summary.grouped_rows],
    ['AFFECTED BRANDS', d?.summary.affected_brands],
    ['AFFECTED AFFILIATES', d?.summary.affected_affiliates],
  ] as const;
  return (
    <>
      <div className="kpis" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(160px, 1fr))' }}>
        {cards.map(([label, value]) => (
          <div key={label} className="kpi" data-summary={label}>
            <div className="label">{label}</div>
            {value === undefined ? (
              <Skeleton height={30} width="50%" />
            ) : (
              <div className="value">{formatCount(value)}</div>
            )}
          </div>
        ))}
      </div>
      <search className="filters" aria-label="Broken tag filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
        <TextField
          label="Affiliate ID"
          value={s.affiliate ?? ''}
          onChange={(affiliate) => set({ affiliate: affiliate || undefined })}
        />
        <TextField
          label="Macro"
          value={s.macro ?? ''}
          placeholder={`e.g. ${MACRO_EXAMPLE}`}
          onChange={(macro) => set({ macro: macro || undefined })}
        />
        <TextField
          label="Search"
          className="wide"
          value={s.search ?? ''}
          placeholder="tag, sub-ID…"
          onChange={(q) => set({ search: q || undefined })}
        />
        <ClearFilters
          count={active}
          onClear={() => set({ brand: undefined, affiliate: undefined, macro: undefined, search: undefined })}
        />
      </search>
      <div className="note">
        Use the sample tag to see which macro was never substituted (e.g. <code>{MACRO_EXAMPLE}</code>), then
        ask the webmaster behind the affiliate link to fix the postback URL template.
      </div>
      {tags.isError && !d ? (
        <div className="card">
          <ErrorState
            error={tags.error}
            onRetry={() => tags.refetch()}
            title="Could not load the broken tags"
          />
        </div>
      ) : !d ? (
        <TableSkeleton rows={8} columns={10} />
      ) : d.rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No broken tags in this period">
            Every tag that arrived had its macros filled in.
          </EmptyState>
        </div>
      ) : (
        <div style={{ opacity: tags.isPlaceholderData ? 0.6 : 1 }}>
          <DataTable
            label="Broken tags"
            columns={columns}
            data={d.rows}
            clientSort
            rowProps={(row) => ({
              'data-id': `${row.original.brand}/${row.original.affiliate_id}/${row.original.sub_id}/${row.original.macro}`,
            })}
          />
        </div>
      )}
    </>
  );
}
