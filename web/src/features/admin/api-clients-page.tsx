/**
 * API Clients `/settings/api-clients` (admins): bearer tokens for external systems. Name, key
 * prefix, status, rate limit, last used, created; Create Client shows the full token once, with a
 * copy button; a client can be renamed, its limit changed (Edit), paused, or deleted.
 */
import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { copyText } from '../../lib/clipboard';
import { formatLocalDate, formatUtc, timeAgo } from '../../lib/format';
import { StatusPill } from '../../ui/badge';
import { type Columns, DataTable } from '../../ui/data-table';
import { SidePanel } from '../../ui/side-panel';
import { EmptyState, ErrorState, errorText, TableSkeleton } from '../../ui/states';
import { type ApiClient, useAdminMutation, useApiClients } from './admin-api';

const col = createColumnHelper<ApiClient>();

function CreatePanel({ onClose }: { onClose: () => void }) {
  const [token, setToken] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useAdminMutation((body: { name: string; rateLimitPerMinute?: number }) =>
    api.post<{ client: ApiClient; token: string }>('/api/admin/api-clients', body),
  );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const limit = Number(form.get('rate'));
    create.mutate(
      { name: String(form.get('name')).trim(), ...(limit > 0 ? { rateLimitPerMinute: limit } : {}) },
      { onSuccess: (res) => setToken(res.token) },
    );
  };
  return (
    <SidePanel title={token ? 'Client created' : 'Create client'} label="Create API client" onClose={onClose}>
      {token ? (
        <div className="form">
          <div className="note">
            This is the only time the full token is shown. Copy it now and store it securely: it cannot be
            retrieved again. If it is lost, delete the client and create a new one.
          </div>
          <div className="token-box">
            <code data-testid="new-token">{token}</code>
            <button
              type="button"
              className="btn"
              onClick={() => {
                void copyText(token).then(setCopied);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="muted" style={{ fontSize: 12.5 }}>
            Send it as <code>Authorization: Bearer {token.slice(0, 8)}…</code> to <code>/api/v1</code>.
          </p>
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        <form className="form" onSubmit={submit}>
          <label className="field">
            <span>Client name</span>
            <input className="input" name="name" required maxLength={64} placeholder="e.g. crm-sync" />
          </label>
          <label className="field">
            <span>Rate limit (requests per minute)</span>
            <input className="input" name="rate" type="number" min={1} placeholder="60" />
          </label>
          {create.isError ? (
            <p className="form-error" role="alert">
              {errorText(create.error)}
            </p>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            Create client
          </button>
        </form>
      )}
    </SidePanel>
  );
}

function EditPanel({ client, onClose }: { client: ApiClient; onClose: () => void }) {
  const save = useAdminMutation((body: { name: string; rateLimitPerMinute: number }) =>
    api.patch<{ client: ApiClient }>(`/api/admin/api-clients/${client.id}`, body),
  );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    save.mutate(
      { name: String(form.get('name')).trim(), rateLimitPerMinute: Number(form.get('rate')) },
      { onSuccess: onClose },
    );
  };
  return (
    <SidePanel title={`Edit ${client.name}`} label="Edit API client" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Client name</span>
          <input className="input" name="name" required maxLength={64} defaultValue={client.name} />
        </label>
        <label className="field">
          <span>Rate limit (requests per minute)</span>
          <input
            className="input"
            name="rate"
            type="number"
            min={1}
            required
            defaultValue={client.rateLimitPerMinute}
          />
        </label>
        <p className="muted" style={{ fontSize: 12.5 }}>
          The token stays the same; a new limit applies from the client's next request.
        </p>
        {save.isError ? (
          <p className="form-error" role="alert">
            {errorText(save.error)}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          Save
        </button>
      </form>
    </SidePanel>
  );
}

export function ApiClientsPage() {
  const clients = useApiClients();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<ApiClient | null>(null);
  const toggle = useAdminMutation((c: ApiClient) =>
    api.patch(`/api/admin/api-clients/${c.id}`, { isActive: c.status !== 'active' }),
  );
  const remove = useAdminMutation((c: ApiClient) => api.delete(`/api/admin/api-clients/${c.id}`));
  const rows = clients.data?.clients ?? [];
  const columns: Columns<ApiClient> = [
    col.accessor('name', {
      header: 'Name',
      cell: (c) => <span style={{ color: 'var(--text-strong)' }}>{c.getValue()}</span>,
    }),
    col.accessor('keyPrefix', { header: 'Key prefix', cell: (c) => <code>{c.getValue()}••••••••</code> }),
    col.accessor('status', {
      header: 'Status',
      cell: (c) => (
        <StatusPill tone={c.row.original.status === 'active' ? 'good' : 'neutral'}>
          {c.row.original.status.toUpperCase()}
        </StatusPill>
      ),
    }),
    col.accessor('rateLimitPerMinute', {
      header: 'Rate limit',
      cell: (c) => `${c.getValue()} req/min`,
      meta: { numeric: true },
    }),
    col.accessor('lastUsedAt', {
      header: 'Last used',
      cell: (c) => {
        const v = c.row.original.lastUsedAt;
        return v ? <time title={formatUtc(v)}>{timeAgo(v)}</time> : <span className="muted">never</span>;
      },
    }),
    col.accessor('createdAt', { header: 'Created', cell: (c) => formatLocalDate(c.row.original.createdAt) }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <span className="toolbar">
          <button type="button" className="btn" onClick={() => setEditing(c.row.original)}>
            Edit
          </button>
          <button type="button" className="btn" onClick={() => toggle.mutate(c.row.original)}>
            {c.row.original.status === 'active' ? 'Pause' : 'Activate'}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => {
              if (window.confirm(`Delete ${c.row.original.name}? Its token stops working at once.`))
                remove.mutate(c.row.original);
            }}
          >
            Delete
          </button>
        </span>
      ),
    }),
  ];
  const error = toggle.error ?? remove.error;
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="clients-total">
          {clients.data ? `${rows.length} external clients` : 'Loading clients…'}
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          + Create Client
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {clients.isError ? (
        <div className="card">
          <ErrorState
            error={clients.error}
            onRetry={() => clients.refetch()}
            title="Could not load the API clients"
          />
        </div>
      ) : !clients.data ? (
        <TableSkeleton rows={3} columns={7} />
      ) : rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No API clients yet">
            Create one to let a CRM, sheet or script read <code>/api/v1</code> with a bearer token.
          </EmptyState>
        </div>
      ) : (
        <DataTable
          label="API clients"
          columns={columns}
          data={rows}
          rowProps={(row) => ({ 'data-id': String(row.original.id) })}
        />
      )}
      {creating ? <CreatePanel onClose={() => setCreating(false)} /> : null}
      {editing ? <EditPanel client={editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}
