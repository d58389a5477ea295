/**
 * Audit log `/admin/audit` (admins): who did what to which record, newest first, with the record
 * before and after folded into each row. Filters (actor, action, target, UTC dates) live in the
 * URL; "Older" pages by id (keyset), so the hundredth page costs what the first does.
 */
import { useState } from 'react';
import { useUrlState } from '../../lib/url-state';
import { DataTable } from '../../ui/data-table';
import { InboxIcon } from '../../ui/icons';
import { TextField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { ClearFilters } from '../shared/filter-fields';
import { auditColumns } from './audit-columns';
import { PAGE_SIZE, useAuditPage } from './queries';
import './audit.css';
import { type AuditSearch, activeFilterCount, auditApiParams, auditSearch, CLEARED } from './url-state';

type Patch = Partial<Record<keyof AuditSearch, string | undefined>>;

function AuditFilters({ s, set }: { s: AuditSearch; set: (patch: Patch) => void }) {
  const text = (key: keyof AuditSearch) => (value: string) => set({ [key]: value.trim() || undefined });
  return (
    <search className="filters" aria-label="Audit filters">
      <TextField
        label="Actor"
        value={s.actor ?? ''}
        placeholder="a part of @username, cli…"
        onChange={text('actor')}
      />
      <TextField
        label="Action"
        value={s.action ?? ''}
        placeholder="e.g. source (every source.*)"
        onChange={text('action')}
      />
      <TextField
        label="Target type"
        value={s.targetType ?? ''}
        placeholder="user, bot, source…"
        onChange={text('targetType')}
      />
      <TextField label="Target ID" value={s.targetId ?? ''} onChange={text('targetId')} />
      <TextField label="From (UTC)" type="date" value={s.from ?? ''} onChange={text('from')} />
      <TextField label="To (UTC)" type="date" value={s.to ?? ''} onChange={text('to')} />
      <ClearFilters count={activeFilterCount(s)} onClear={() => set({ ...CLEARED })} />
    </search>
  );
}

/** One filtered log; remounted (cursor reset) whenever the filters change. */
function AuditList({
  params,
  filtered,
  onClear,
}: {
  params: ReturnType<typeof auditApiParams>;
  filtered: boolean;
  onClear: () => void;
}) {
  // The `before` of each page shown before this one: "Older" pushes, "Newer" pops.
  const [cursors, setCursors] = useState<number[]>([]);
  const audit = useAuditPage({ ...params, limit: PAGE_SIZE, before: cursors.at(-1) });
  const data = audit.data;

  if (audit.isError && !data)
    return (
      <div className="card">
        <ErrorState
          error={audit.error}
          onRetry={() => audit.refetch()}
          title="Could not load the audit log"
        />
      </div>
    );
  if (!data) return <TableSkeleton rows={12} columns={6} />;
  if (data.entries.length === 0 && cursors.length === 0)
    return (
      <div className="card">
        {filtered ? (
          <EmptyState title="No audit entries match these filters">
            <button type="button" className="btn" onClick={onClear}>
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="Nothing audited yet" icon={<InboxIcon />}>
            Every change an admin makes to users, API clients, bots, sources or brands will be listed here.
          </EmptyState>
        )}
      </div>
    );
  return (
    <>
      <div style={{ opacity: audit.isPlaceholderData ? 0.6 : 1, transition: 'opacity .15s' }}>
        <DataTable
          label="Audit log"
          columns={auditColumns}
          data={data.entries}
          rowProps={(row) => ({ 'data-id': String(row.original.id) })}
        />
      </div>
      <div className="pager">
        <span className="muted" data-testid="audit-page-info">
          {cursors.length === 0 ? 'Newest' : `Page ${cursors.length + 1}`} · {data.entries.length} shown
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
            disabled={data.nextBefore === null}
            onClick={() => {
              const next = data.nextBefore;
              if (next !== null) setCursors((c) => [...c, next]);
            }}
          >
            Older ›
          </button>
        </nav>
      </div>
    </>
  );
}

export function AuditPage() {
  const [s, set] = useUrlState(auditSearch);
  const params = auditApiParams(s);
  const invertedRange = s.from !== undefined && s.to !== undefined && s.from > s.to;
  return (
    <>
      <div className="page-head">
        <div className="sub">
          Every admin action: who, what, on which record, before and after. Newest first.
        </div>
      </div>
      <AuditFilters s={s} set={set} />
      {invertedRange ? (
        <div className="card">
          <EmptyState title="“From” is after “To”">Pick a From date on or before the To date.</EmptyState>
        </div>
      ) : (
        <AuditList
          key={JSON.stringify(params)}
          params={params}
          filtered={activeFilterCount(s) > 0}
          onClear={() => set({ ...CLEARED })}
        />
      )}
    </>
  );
}
