/**
 * Every page of the panel. Pages are lazy route modules (one chunk each); the shell, the auth
 * gate and the primitives are in the entry. `handle` gives the shell the title and the periods.
 */
import { createBrowserRouter, isRouteErrorResponse, useRouteError } from 'react-router';
import type { RouteHandle } from './app/nav';
import { AuthGate, BootScreen, RequireAdmin } from './auth/auth-gate';
import { PAGE_PERIODS } from './lib/periods';
import { EmptyState, ErrorState } from './ui/states';

const h = (title: string, period?: RouteHandle['period']): RouteHandle => ({ title, period });

function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;
  return (
    <div className="card">
      <ErrorState error={error} title="This page failed to load" onRetry={() => window.location.reload()} />
    </div>
  );
}

function NotFound() {
  return (
    <div className="card" data-testid="not-found">
      <EmptyState title="Page not found">
        <a href="/">Back to the dashboard</a>
      </EmptyState>
    </div>
  );
}

export const router = createBrowserRouter([
  { path: '/login', lazy: () => import('./routes/login'), hydrateFallbackElement: <BootScreen /> },
  {
    element: <AuthGate />,
    hydrateFallbackElement: <BootScreen />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          {
            index: true,
            lazy: () => import('./routes/dashboard'),
            handle: h('Dashboard', PAGE_PERIODS.dashboard),
          },
          { path: 'events', lazy: () => import('./routes/events'), handle: h('Events') },
          { path: 'stats', lazy: () => import('./routes/stats'), handle: h('Stats', PAGE_PERIODS.stats) },
          { path: 'compare', lazy: () => import('./routes/compare'), handle: h('Compare') },
          { path: 'brands', lazy: () => import('./routes/brands'), handle: h('Brands', PAGE_PERIODS.brands) },
          {
            path: 'brands/:slug',
            lazy: () => import('./routes/brand'),
            handle: h('Brand', PAGE_PERIODS.brands),
          },
          {
            path: 'sources',
            lazy: () => import('./routes/sources'),
            handle: h('Sources', PAGE_PERIODS.sources),
          },
          {
            path: 'affiliates',
            lazy: () => import('./routes/affiliates'),
            handle: h('Affiliates', PAGE_PERIODS.affiliates),
          },
          {
            path: 'affiliates/:id',
            lazy: () => import('./routes/affiliate'),
            handle: h('Affiliate', PAGE_PERIODS.affiliates),
          },
          {
            path: 'deals',
            lazy: () => import('./routes/deals'),
            handle: h('Deal Audit', PAGE_PERIODS.deals),
          },
          // Read-only status for everyone; the editable cards show for admins only.
          { path: 'settings', lazy: () => import('./routes/settings'), handle: h('Settings') },
          {
            element: <RequireAdmin />,
            children: [
              { path: 'settings/users', lazy: () => import('./routes/users'), handle: h('Users') },
              {
                path: 'settings/api-clients',
                lazy: () => import('./routes/api-clients'),
                handle: h('API Clients'),
              },
              { path: 'settings/bots', lazy: () => import('./routes/bots'), handle: h('Bots') },
              {
                path: 'admin/broken-tags',
                lazy: () => import('./routes/broken-tags'),
                handle: h('Broken Tags', PAGE_PERIODS.brokenTags),
              },
              { path: 'links', lazy: () => import('./routes/links'), handle: h('Link Generator') },
              {
                path: 'admin/sources',
                lazy: () => import('./routes/sources-admin'),
                handle: h('Sources admin'),
              },
              {
                path: 'admin/brands',
                lazy: () => import('./routes/brands-admin'),
                handle: h('Brands admin'),
              },
              {
                path: 'admin/rejections',
                lazy: () => import('./routes/rejections'),
                handle: h('Rejections'),
              },
              { path: 'admin/import', lazy: () => import('./routes/import'), handle: h('Import') },
              { path: 'admin/audit', lazy: () => import('./routes/audit'), handle: h('Audit log') },
            ],
          },
          { path: '*', element: <NotFound />, handle: h('Not found') },
        ],
      },
    ],
  },
]);
