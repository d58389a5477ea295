/**
 * Users `/settings/users` (admins): everyone who may log in, with role, status, live-session dot
 * and creation date; Add User; the edit panel sets names, role and status (approve / reject),
 * deactivates, ends sessions or deletes. The server refuses to lock out the last admin.
 */
import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { displayName, useMe } from '../../auth/use-me';
import { formatLocalDate, formatUtc, initials } from '../../lib/format';
import { StatusPill } from '../../ui/badge';
import { type Columns, DataTable } from '../../ui/data-table';
import { SidePanel } from '../../ui/side-panel';
import { EmptyState, ErrorState, errorText, TableSkeleton } from '../../ui/states';
import { type AdminUser, useAdminMutation, useUsers } from './admin-api';

const col = createColumnHelper<AdminUser>();
const STATUS_TONE = { approved: 'good', pending: 'warn', rejected: 'bad' } as const;

function UserCell({ u }: { u: AdminUser }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
      <span className="avatar" aria-hidden>
        {u.photoUrl ? (
          <img src={u.photoUrl} alt="" />
        ) : (
          initials(u.firstName, u.lastName, u.username ?? String(u.id))
        )}
      </span>
      <span>
        <span style={{ color: 'var(--text-strong)' }}>{`${u.firstName} ${u.lastName}`.trim() || '—'}</span>{' '}
        <span className="muted">
          {u.username ? `@${u.username}` : u.telegramId ? `tg:${u.telegramId}` : `#${u.id}`}
        </span>
      </span>
    </span>
  );
}

function columns(onEdit: (u: AdminUser) => void): Columns<AdminUser> {
  return [
    col.display({ id: 'user', header: 'User', cell: (c) => <UserCell u={c.row.original} /> }),
    col.accessor('role', { header: 'Role', cell: (c) => c.getValue().toUpperCase() }),
    col.accessor('status', {
      header: 'Status',
      cell: (c) => (
        <>
          <StatusPill tone={STATUS_TONE[c.row.original.status]}>
            {c.row.original.status.toUpperCase()}
          </StatusPill>
          {c.row.original.isActive ? null : (
            <>
              {' '}
              <StatusPill tone="neutral">DEACTIVATED</StatusPill>
            </>
          )}
        </>
      ),
    }),
    col.accessor('hasActiveSession', {
      header: 'Active',
      cell: (c) => (
        <span title={c.getValue() ? 'has an active session' : 'no active session'}>
          <span className={`dot ${c.getValue() ? 'on' : ''}`} />
          <span className="sr-only">{c.getValue() ? 'active session' : 'no session'}</span>
        </span>
      ),
    }),
    col.accessor('createdAt', {
      header: 'Created',
      cell: (c) => <time title={formatUtc(c.getValue())}>{formatLocalDate(c.getValue())}</time>,
    }),
    col.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <button
          type="button"
          className="btn"
          onClick={() => onEdit(c.row.original)}
          aria-label={`Edit ${displayName(c.row.original)}`}
        >
          Edit
        </button>
      ),
    }),
  ];
}

function AddUserPanel({ onClose }: { onClose: () => void }) {
  const add = useAdminMutation((body: Record<string, string>) => api.post('/api/admin/users', body));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = Object.fromEntries(
      [...form.entries()].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v !== ''),
    );
    add.mutate(body, { onSuccess: onClose });
  };
  return (
    <SidePanel title="Add user" label="Add user" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label className="field">
          <span>Telegram ID</span>
          <input className="input" name="telegramId" required inputMode="numeric" pattern="\d{1,20}" />
        </label>
        <label className="field">
          <span>First name</span>
          <input className="input" name="firstName" />
        </label>
        <label className="field">
          <span>Last name</span>
          <input className="input" name="lastName" />
        </label>
        <label className="field">
          <span>Username</span>
          <input className="input" name="username" placeholder="@username" />
        </label>
        <label className="field">
          <span>Role</span>
          <select className="select" name="role" defaultValue="viewer">
            <option value="viewer">Viewer — read-only</option>
            <option value="admin">Admin — full access</option>
          </select>
        </label>
        {add.isError ? (
          <p className="form-error" role="alert">
            {errorText(add.error)}
          </p>
        ) : null}
        <div className="toolbar">
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>
            Add user
          </button>
          <span className="muted" style={{ fontSize: 12 }}>
            Added users are approved: they can log in with Telegram at once.
          </span>
        </div>
      </form>
    </SidePanel>
  );
}

function EditUserPanel({ user, self, onClose }: { user: AdminUser; self: boolean; onClose: () => void }) {
  const [first, setFirst] = useState(user.firstName);
  const [last, setLast] = useState(user.lastName);
  const patch = useAdminMutation((body: Record<string, unknown>) =>
    api.patch(`/api/admin/users/${user.id}`, body),
  );
  const end = useAdminMutation(() => api.post(`/api/admin/users/${user.id}/end-sessions`));
  const remove = useAdminMutation(() => api.delete(`/api/admin/users/${user.id}`));
  const error = patch.error ?? end.error ?? remove.error;
  const busy = patch.isPending || end.isPending || remove.isPending;
  return (
    <SidePanel title={displayName(user)} label={`Edit ${displayName(user)}`} onClose={onClose}>
      <div className="form">
        <p className="muted">
          Telegram ID {user.telegramId ?? '—'} · {user.username ? `@${user.username}` : 'no username'} · last
          login {user.lastLoginAt ? formatUtc(user.lastLoginAt) : 'never'}
        </p>
        <label className="field">
          <span>First name</span>
          <input className="input" value={first} onChange={(e) => setFirst(e.target.value)} />
        </label>
        <label className="field">
          <span>Last name</span>
          <input className="input" value={last} onChange={(e) => setLast(e.target.value)} />
        </label>
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => patch.mutate({ firstName: first, lastName: last })}
        >
          Save names
        </button>
        <div className="field">
          <span>Role</span>
          <fieldset className="segmented">
            <legend className="sr-only">Role</legend>
            {(['viewer', 'admin'] as const).map((role) => (
              <button
                key={role}
                type="button"
                aria-pressed={user.role === role}
                disabled={busy}
                onClick={() => patch.mutate({ role })}
              >
                {role.toUpperCase()}
              </button>
            ))}
          </fieldset>
        </div>
        <div className="field">
          <span>Status</span>
          <div className="toolbar">
            {user.status !== 'approved' ? (
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy}
                onClick={() => patch.mutate({ status: 'approved' })}
              >
                Approve
              </button>
            ) : null}
            {user.status !== 'rejected' ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy}
                onClick={() => patch.mutate({ status: 'rejected' })}
              >
                Reject
              </button>
            ) : null}
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => patch.mutate({ isActive: !user.isActive })}
            >
              {user.isActive ? 'Deactivate' : 'Reactivate'}
            </button>
          </div>
        </div>
        <div className="toolbar">
          <button
            type="button"
            className="btn"
            disabled={busy || !user.hasActiveSession}
            onClick={() => end.mutate(undefined)}
          >
            End sessions
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy || self}
            onClick={() => {
              if (window.confirm(`Delete ${displayName(user)}? They will no longer be able to log in.`))
                remove.mutate(undefined, { onSuccess: onClose });
            }}
          >
            Delete user
          </button>
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {errorText(error)}
          </p>
        ) : null}
        <p className="muted" style={{ fontSize: 12 }}>
          Changing role, status or active ends the person’s sessions; every change is in the audit log.
        </p>
      </div>
    </SidePanel>
  );
}

export function UsersPage() {
  const users = useUsers();
  const me = useMe();
  const [editing, setEditing] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const rows = users.data?.users ?? [];
  const current = rows.find((u) => u.id === editing);
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="users-total">
          {users.data
            ? `${rows.length} registered users · ${rows.filter((u) => u.status === 'pending').length} pending`
            : 'Loading users…'}
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
          + Add User
        </button>
      </div>
      {users.isError ? (
        <div className="card">
          <ErrorState error={users.error} onRetry={() => users.refetch()} title="Could not load the users" />
        </div>
      ) : !users.data ? (
        <TableSkeleton rows={6} columns={6} />
      ) : rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No users yet">
            Add one with Add User, or let people log in with Telegram.
          </EmptyState>
        </div>
      ) : (
        <DataTable
          label="Users"
          columns={columns((u) => setEditing(u.id))}
          data={rows}
          rowProps={(row) => ({ 'data-id': String(row.original.id) })}
        />
      )}
      {adding ? <AddUserPanel onClose={() => setAdding(false)} /> : null}
      {current ? (
        <EditUserPanel
          user={current}
          self={current.id === me.data?.user.id}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
