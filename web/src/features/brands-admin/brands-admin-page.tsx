/**
 * Brands admin `/admin/brands` (admins): every brand with its aliases listed under it, postback
 * status, all-time events and last event; search and status filter in the URL; the edit panel
 * renames and blocks / unblocks, the merge dialog folds an alias into its brand.
 */
import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useState } from 'react';
import { z } from 'zod';
import { formatCount, formatUtc, timeAgo } from '../../lib/format';
import { enumParam, textParam, useUrlState } from '../../lib/url-state';
import { StatusPill } from '../../ui/badge';
import { type Columns, DataTable } from '../../ui/data-table';
import { SelectField, TextField } from '../../ui/inputs';
import { EmptyState, ErrorState, TableSkeleton } from '../../ui/states';
import { type AdminBrand, useAdminBrands } from './brands-admin-api';
import { EditBrandPanel } from './edit-brand-panel';
import { MergeBrandPanel } from './merge-brand-panel';
import { plural } from './plural';
import './brands-admin.css';

const STATUSES = ['all', 'accepted', 'blocked'] as const;
const pageSearch = z.object({
  search: textParam(64),
  status: enumParam(STATUSES, 'all'),
});

type Panel = { kind: 'edit' | 'merge'; slug: string } | null;
const col = createColumnHelper<AdminBrand>();

function BrandCell({ b }: { b: AdminBrand }) {
  return (
    <div className="ba-brand">
      <span className="ba-name">{b.name}</span>
      {b.name !== b.slug ? <code className="mono muted ba-slug">{b.slug}</code> : null}
      {b.aliases.length > 0 ? (
        <ul className="chips ba-aliases" aria-label={`Aliases of ${b.slug}`}>
          {b.aliases.map((a) => (
            <li key={a} className="chip" title={`${a} was merged into ${b.slug}`}>
              ↳ {a}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function columns(open: (panel: Panel) => void): Columns<AdminBrand> {
  return [
    col.accessor('name', { header: 'Brand', cell: (c) => <BrandCell b={c.row.original} /> }),
    col.accessor('blocked', {
      header: 'Postbacks',
      cell: (c) =>
        c.getValue() ? (
          <StatusPill tone="bad">BLOCKED</StatusPill>
        ) : (
          <StatusPill tone="good">ACCEPTED</StatusPill>
        ),
    }),
    col.accessor('events', {
      header: 'Events',
      cell: (c) => formatCount(c.getValue()),
      meta: { numeric: true },
    }),
    col.accessor('lastEventAt', {
      header: 'Last event',
      cell: (c) => {
        const v = c.getValue();
        return v ? (
          <time dateTime={v} title={formatUtc(v)}>
            {timeAgo(v)}
          </time>
        ) : (
          '—'
        );
      },
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <span className="ba-actions">
          <button
            type="button"
            className="btn"
            aria-label={`Edit ${c.row.original.slug}`}
            onClick={() => open({ kind: 'edit', slug: c.row.original.slug })}
          >
            Edit
          </button>
          <button
            type="button"
            className="btn"
            aria-label={`Merge ${c.row.original.slug}`}
            onClick={() => open({ kind: 'merge', slug: c.row.original.slug })}
          >
            Merge…
          </button>
        </span>
      ),
    }),
  ];
}

function visibleBrands(all: AdminBrand[], search: string | undefined, status: (typeof STATUSES)[number]) {
  const needle = search?.toLowerCase() ?? '';
  return all.filter(
    (b) =>
      b.aliasOf === null &&
      (status === 'all' || (status === 'blocked') === b.blocked) &&
      (needle === '' ||
        b.slug.includes(needle) ||
        b.name.toLowerCase().includes(needle) ||
        b.aliases.some((a) => a.includes(needle))),
  );
}

export function BrandsAdminPage() {
  const brands = useAdminBrands();
  const [s, set] = useUrlState(pageSearch);
  const [panel, setPanel] = useState<Panel>(null);
  // Stable, so the open panel keeps focus while the list refetches behind it.
  const close = useCallback(() => setPanel(null), []);
  const all = brands.data?.brands ?? [];
  const rows = visibleBrands(all, s.search, s.status);
  const current = panel ? all.find((b) => b.slug === panel.slug) : undefined;
  const primary = all.filter((b) => b.aliasOf === null);
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="brands-admin-total">
          {brands.data
            ? [
                plural(primary.length, 'brand', 'brands'),
                plural(all.length - primary.length, 'alias', 'aliases'),
                `${formatCount(primary.filter((b) => b.blocked).length)} blocked`,
              ].join(' · ')
            : 'Loading brands…'}
        </div>
        <search aria-label="Brand search" className="toolbar ba-filters">
          <TextField
            label="Search"
            type="search"
            value={s.search ?? ''}
            placeholder="slug, name or alias"
            onChange={(search) => set({ search: search || undefined }, { replace: true })}
          />
          <SelectField
            label="Postbacks"
            value={s.status}
            onChange={(status) => set({ status })}
            options={[
              { value: 'all', label: 'All brands' },
              { value: 'accepted', label: 'Accepted' },
              { value: 'blocked', label: 'Blocked' },
            ]}
          />
        </search>
      </div>
      <p className="muted ba-hint">
        Rename changes the name pages show, never the slug postbacks use. Merge an alias (e.g. brit-sino) into
        its brand: its past and future events count under that brand. Block rejects a brand’s postbacks from
        now on. Every change is in the audit log.
      </p>
      {brands.isError ? (
        <div className="card">
          <ErrorState
            error={brands.error}
            onRetry={() => brands.refetch()}
            title="Could not load the brands"
          />
        </div>
      ) : !brands.data ? (
        <TableSkeleton rows={10} columns={5} />
      ) : rows.length === 0 ? (
        <div className="card">
          {primary.length === 0 ? (
            <EmptyState title="No brands yet">Brands appear with their first accepted postback.</EmptyState>
          ) : (
            <EmptyState title="No brand matches these filters">
              Check the spelling, or clear the search and the status filter.
            </EmptyState>
          )}
        </div>
      ) : (
        <DataTable
          label="Brands admin"
          columns={columns(setPanel)}
          data={rows}
          clientSort
          rowProps={(row) => ({
            'data-id': row.original.slug,
            className: row.original.blocked ? 'ba-blocked' : '',
          })}
        />
      )}
      {panel?.kind === 'edit' && current ? <EditBrandPanel brand={current} onClose={close} /> : null}
      {panel?.kind === 'merge' && current ? (
        <MergeBrandPanel source={current} brands={all} onClose={close} />
      ) : null}
    </>
  );
}
