/** The waiting page for a PENDING person: nothing else is reachable until an admin approves. */
import type { Me } from '../api/types';
import { displayName, useLogout, useMe } from './use-me';

export function PendingPage({ me }: { me: Me }) {
  const logout = useLogout();
  const refresh = useMe();
  const rejected = me.user.status === 'rejected';
  return (
    <main className="center-page">
      <div className="login-card" data-testid="pending-page">
        <div className="brand-mark">
          <span className="logo">A</span>
          <div>
            AFFPanel<small>S2S GALAXY</small>
          </div>
        </div>
        <h1>{rejected ? 'Access refused' : 'Waiting for approval'}</h1>
        <p>
          {rejected
            ? 'An admin has refused access for this account.'
            : 'You are logged in, but an admin has to approve your access before you can see the panel. This page lets you in as soon as they do.'}
        </p>
        <div className="note">
          Signed in as <strong>{displayName(me.user)}</strong>
          {me.user.telegramId ? <span className="muted"> · Telegram ID {me.user.telegramId}</span> : null}
        </div>
        <div className="toolbar">
          <button
            type="button"
            className="btn"
            onClick={() => refresh.refetch()}
            disabled={refresh.isFetching}
          >
            ↺ Check again
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => logout.mutate()}>
            Log out
          </button>
        </div>
      </div>
    </main>
  );
}
