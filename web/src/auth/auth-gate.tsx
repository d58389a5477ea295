/**
 * Guards the panel: not logged in → the login page (coming back here after); PENDING → the
 * waiting page; otherwise the shell. `RequireAdmin` guards the admin section: a viewer who opens
 * one of its URLs directly gets a clear "no access".
 */
import { Navigate, Outlet, useLocation } from 'react-router';
import { Shell } from '../app/shell';
import { LockIcon } from '../ui/icons';
import { ErrorState } from '../ui/states';
import { PendingPage } from './pending-page';
import { useMe } from './use-me';

export function AuthGate() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <BootScreen />;
  if (me.isError)
    return (
      <div className="center-page">
        <div className="login-card">
          <ErrorState
            error={me.error}
            onRetry={() => me.refetch()}
            title="The panel cannot reach the server"
          />
        </div>
      </div>
    );
  if (me.data === null) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.data.user.status !== 'approved') return <PendingPage me={me.data} />;
  return (
    <Shell me={me.data}>
      <Outlet />
    </Shell>
  );
}

export function RequireAdmin() {
  const me = useMe();
  if (me.data?.user.role !== 'admin') return <NoAccess />;
  return <Outlet />;
}

export function NoAccess() {
  return (
    <div className="card" data-testid="no-access">
      <div className="state">
        <div className="icon">
          <LockIcon />
        </div>
        <h2>No access</h2>
        <p>This page is for admins. Ask an admin if you need it.</p>
      </div>
    </div>
  );
}

export function BootScreen() {
  return (
    <div className="center-page" aria-busy="true">
      <span className="muted">Loading AFFPanel…</span>
    </div>
  );
}
