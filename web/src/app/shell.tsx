/**
 * The frame of every page: sidebar navigation (admin section for admins only), the top bar with
 * the page title, the period selector of pages that have periods, the ↺ refresh button and the
 * person's chip with logout. On a phone the sidebar is a drawer behind the ☰ button.
 */
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { NavLink, useLocation, useMatches } from 'react-router';
import { onFiguresPending } from '../api/client';
import type { Me } from '../api/types';
import { displayName, useLogout } from '../auth/use-me';
import { initials } from '../lib/format';
import { ADMIN_NAV, MAIN_NAV, type NavItem, type RouteHandle } from './nav';
import { PeriodSelector } from './period-selector';

function NavLinks({ items }: { items: NavItem[] }) {
  return items.map((item) => (
    <NavLink key={item.to} to={item.to} end={item.to === '/' || item.to === '/settings'} className="nav-link">
      <span className="icon" aria-hidden>
        {item.icon}
      </span>
      {item.label}
    </NavLink>
  ));
}

function useRouteHandle(): RouteHandle | undefined {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const handle = matches[i]?.handle as RouteHandle | undefined;
    if (handle?.title) return handle;
  }
  return undefined;
}

export function RefreshButton() {
  const client = useQueryClient();
  const fetching = useIsFetching() > 0;
  return (
    <button
      type="button"
      className="btn btn-icon"
      aria-label="Refresh all data"
      title="Refresh all data"
      data-testid="refresh"
      onClick={() => client.refetchQueries({ type: 'active' })}
    >
      <span
        aria-hidden
        style={{ display: 'inline-block', animation: fetching ? 'spin 0.8s linear infinite' : undefined }}
      >
        ↺
      </span>
    </button>
  );
}

/** How long after a "figures pending" answer the page asks again. */
const PENDING_REFETCH_MS = 2000;

/**
 * Shown while the server answers before it has counted every stored event (heavy load, a backlog):
 * the figures on screen may miss the newest events. The page asks again shortly, until they are whole.
 */
export function CountingChip() {
  const client = useQueryClient();
  const [pending, setPending] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = onFiguresPending(() => {
      setPending(true);
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        setPending(false);
        void client.refetchQueries({ type: 'active' });
      }, PENDING_REFETCH_MS);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
  if (!pending) return null;
  return (
    <span
      className="pill warn"
      role="status"
      data-testid="figures-pending"
      title="The server is still counting the newest events into these figures; they refresh in a moment."
    >
      Counting new events…
    </span>
  );
}

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const handle = useRouteHandle();
  const [drawer, setDrawer] = useState(false);
  const location = useLocation();
  const logout = useLogout();
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the drawer on every navigation
  useEffect(() => setDrawer(false), [location.pathname]);
  useEffect(() => {
    document.title = handle?.title ? `${handle.title} · AFFPanel` : 'AFFPanel';
  }, [handle?.title]);
  const user = me.user;
  return (
    <div className="shell">
      <nav className={`sidebar ${drawer ? 'open' : ''}`} aria-label="Main">
        <div className="brand-mark">
          <span className="logo" aria-hidden>
            A
          </span>
          <div>
            AFFPanel<small>S2S GALAXY</small>
          </div>
        </div>
        <NavLinks items={MAIN_NAV} />
        {user.role === 'admin' ? (
          <>
            <div className="nav-section">Admin</div>
            <NavLinks items={ADMIN_NAV} />
          </>
        ) : null}
      </nav>
      {drawer ? (
        <div className="backdrop" style={{ zIndex: 55 }} onClick={() => setDrawer(false)} aria-hidden />
      ) : null}
      <div className="main">
        <header className="topbar">
          <button
            type="button"
            className="btn btn-icon menu-btn"
            aria-label="Open navigation"
            aria-expanded={drawer}
            onClick={() => setDrawer((d) => !d)}
          >
            ☰
          </button>
          <h1 className="title">{handle?.title ?? 'AFFPanel'}</h1>
          {handle?.period ? <PeriodSelector key={location.pathname} config={handle.period} /> : null}
          <CountingChip />
          <RefreshButton />
          <div className="user-chip">
            <span className="avatar" aria-hidden>
              {user.photoUrl ? (
                <img src={user.photoUrl} alt="" />
              ) : (
                initials(user.firstName, user.lastName, user.username ?? 'A')
              )}
            </span>
            <span className="name">
              {displayName(user)} <span className="muted">· {user.role}</span>
            </span>
            <button type="button" className="btn btn-ghost" onClick={() => logout.mutate()}>
              Log out
            </button>
          </div>
        </header>
        <main className="content" id="content">
          {children}
        </main>
      </div>
    </div>
  );
}
