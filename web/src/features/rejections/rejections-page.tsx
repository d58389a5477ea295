/**
 * Rejections `/admin/rejections` (admins): the postback tester on top, then every stored rejected
 * postback, newest attempt first — reason code and reason, attempts, first/last seen, the raw query
 * as stored — with period, source, brand and reason filters in the URL, "older" keyset paging and a side
 * panel with every field.
 */
import { useCallback, useMemo, useState } from 'react';
import { PeriodSelector } from '../../app/period-selector';
import { usePeriod } from '../../lib/periods';
import { useUrlState } from '../../lib/url-state';
import { DataTable } from '../../ui/data-table';
import { InboxIcon } from '../../ui/icons';
import { SelectField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';
import { PostbackTester } from './postback-tester';
import { PAGE_SIZE, type RejectionRow, useRejections } from './queries';
import { REASON_CODES, reasonLabel } from './reasons';
import { rejectionColumns } from './rejection-columns';
import { RejectionDetailPanel } from './rejection-detail';
import './rejections.css';
import { CLEARED, REJECTION_PERIODS, type RejectionsSearch, rejectionsSearch } from './url-state';

const REASON_OPTIONS = REASON_CODES.map((code) => ({ value: code, label: `${reasonLabel(code)} (${code})` }));

function Filters({ s, set }: { s: RejectionsSearch; set: (patch: Partial<RejectionsSearch>) => void }) {
  const active = [s.source, s.brand, s.code].filter(Boolean).length;
  return (
    <search className="filters" aria-label="Rejection filters">
      <SourceSelect value={s.source} onChange={(source) => set({ source })} />
      <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
      <SelectField
        label="Reason"
        className="wide"
        value={s.code ?? ''}
        allLabel="All reasons"
        options={REASON_OPTIONS}
        onChange={(code) => set({ code: code ? (code as RejectionsSearch['code']) : undefined })}
      />
      <ClearFilters count={active} onClear={() => set({ ...CLEARED })} />
    </search>
  );
}

/** One filtered list; remounted (cursor reset) whenever the filters change. */
function RejectionList({
  params,
  filtered,
  onClear,
}: {
  params: Record<string, string | undefined>;
  filtered: boolean;
  onClear: () => void;
}) {
  // Cursors of the pages before this one: "Older" pushes, "Newer" pops.
  const [cursors, setCursors] = useState<string[]>([]);
  const [open, setOpen] = useState<RejectionRow | null>(null);
  const before = cursors.at(-1);
  const rejections = useRejections({ ...params, limit: PAGE_SIZE, before });
  const close = useCallback(() => setOpen(null), []);
  const columns = useMemo(() => rejectionColumns(setOpen), []);
  const data = rejections.data;

  if (rejections.isError && !data)
    return (
      <div className="card">
        <ErrorState
          error={rejections.error}
          onRetry={() => rejections.refetch()}
          title="Could not load the rejections"
        />
      </div>
    );
  if (!data) return <TableSkeleton rows={10} columns={7} />;
  if (data.rows.length === 0 && cursors.length === 0)
    return (
      <div className="card">
        {filtered ? (
          <EmptyState title="No rejections match these filters">
            <button type="button" className="btn" onClick={onClear}>
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No rejected postbacks in this period" icon={<InboxIcon />}>
            Every postback that arrived was accepted. Paste a URL into the tester above to see how one would
            be handled.
          </EmptyState>
        )}
      </div>
    );
  return (
    <>
      <div style={{ opacity: rejections.isPlaceholderData ? 0.6 : 1, transition: 'opacity .15s' }}>
        <DataTable
          label="Rejected postbacks"
          columns={columns}
          data={data.rows}
          rowProps={(row) => ({ onClick: () => setOpen(row.original), 'data-id': String(row.original.id) })}
        />
      </div>
      <div className="pager">
        <span className="muted" data-testid="rejections-page-info">
          {cursors.length === 0 ? 'Newest' : `Page ${cursors.length + 1}`} · {data.rows.length} shown
        </span>
        <nav aria-label="Pages" className="toolbar">
          <button
            type="button"
            className="btn"
            disabled={cursors.length === 0}
            onClick={() => setCursors([])}
          >
            « Newest
          </button>
          <button
            type="button"
            className="btn"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            ‹ Newer
          </button>
          <button
            type="button"
            className="btn"
            disabled={data.next === null}
            onClick={() => data.next && setCursors((c) => [...c, data.next as string])}
          >
            Older ›
          </button>
        </nav>
      </div>
      {open ? <RejectionDetailPanel row={open} onClose={close} /> : null}
    </>
  );
}

export function RejectionsPage() {
  const period = usePeriod(REJECTION_PERIODS);
  const [s, set] = useUrlState(rejectionsSearch);
  const params = { ...period.params, source: s.source, brand: s.brand, code: s.code };
  const key = JSON.stringify(params);
  return (
    <>
      <PostbackTester />
      <div className="page-head">
        <div>
          <h2>Rejected postbacks</h2>
          <div className="sub">
            Newest attempt first; a retried request counts as one row with its attempts.
          </div>
        </div>
        <PeriodSelector config={REJECTION_PERIODS} />
      </div>
      <Filters s={s} set={set} />
      <RejectionList
        key={key}
        params={params}
        filtered={Boolean(s.source || s.brand || s.code)}
        onClear={() => set({ ...CLEARED })}
      />
    </>
  );
}
