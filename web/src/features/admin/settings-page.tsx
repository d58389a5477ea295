/**
 * Settings `/settings`: the API card (address, version, storage, uptime, reachability and
 * latency), the application card and source health (events today, lag, status), read-only, for
 * everyone; then, for admins only, the editable cards (thresholds, suspicious deals, FX rates,
 * exports, source lag) from `features/settings`, each saved through the audited admin API.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import type { SourceHealth } from '../../api/types';
import { useAuthConfig, useMe } from '../../auth/use-me';
import { formatCount, formatUtc, timeAgo } from '../../lib/format';
import { StatusPill } from '../../ui/badge';
import { ErrorState, Skeleton } from '../../ui/states';
import { EditableSettings } from '../settings/editable-settings';
import { STATUS_TONE } from '../sources/sources-page';

function Row({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </>
  );
}

function useReachability() {
  return useQuery({
    queryKey: ['settings', 'ready'],
    queryFn: async () => {
      const started = performance.now();
      const res = await fetch('/readyz', { headers: { accept: 'application/json' } });
      const body = (await res.json()) as { status: string; storage?: string; started_at?: string };
      return { ok: res.ok, ...body, ms: Math.round(performance.now() - started) };
    },
    refetchInterval: 30_000,
  });
}

export function SettingsPage() {
  const ready = useReachability();
  const openapi = useQuery({
    queryKey: ['settings', 'openapi'],
    queryFn: ({ signal }) =>
      api.get<{ info: { version: string; title: string } }>('/api/v1/openapi.json', {}, signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const health = useQuery({
    queryKey: ['source-health'],
    queryFn: ({ signal }) => api.get<SourceHealth>('/api/v1/source-health', {}, signal),
  });
  const auth = useAuthConfig();
  const me = useMe();
  return (
    <div className="grid-2">
      <section className="card" aria-labelledby="api-card">
        <div className="card-head">
          <h2 id="api-card">API connection</h2>
          {ready.data ? (
            <StatusPill tone={ready.data.ok ? 'good' : 'bad'}>
              {ready.data.ok ? 'CONNECTED' : 'NOT READY'}
            </StatusPill>
          ) : null}
        </div>
        <div className="card-body">
          {ready.isError ? (
            <ErrorState
              error={ready.error}
              onRetry={() => ready.refetch()}
              title="The server does not answer"
            />
          ) : (
            <dl className="fields" data-testid="api-card">
              <Row name="Base URL">
                <code>{window.location.origin}</code>
              </Row>
              <Row name="API">
                <code>/api/v1</code> · {openapi.data ? `version ${openapi.data.info.version}` : '…'} ·{' '}
                <a href="/api/v1/openapi.json">OpenAPI</a>
              </Row>
              <Row name="Storage">{ready.data?.storage ?? ready.data?.status ?? '…'}</Row>
              <Row name="Uptime">
                {ready.data?.started_at ? (
                  <span title={formatUtc(ready.data.started_at)} data-testid="uptime">
                    started {timeAgo(ready.data.started_at)}
                  </span>
                ) : (
                  '…'
                )}
              </Row>
              <Row name="Reachability">
                {ready.data ? `${ready.data.status} · answered in ${ready.data.ms} ms` : '…'}
              </Row>
            </dl>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="app-card">
        <div className="card-head">
          <h2 id="app-card">Application</h2>
        </div>
        <div className="card-body">
          <dl className="fields">
            <Row name="App name">S2S Galaxy (AFFPanel)</Row>
            <Row name="Theme">Dark</Row>
            <Row name="Auth method">
              {auth.data?.telegramBotName
                ? `Telegram Login Widget (@${auth.data.telegramBotName}) and one-time links`
                : 'One-time login links (Telegram login not configured)'}
            </Row>
          </dl>
        </div>
      </section>

      <section className="card" aria-labelledby="health-card" style={{ gridColumn: '1 / -1' }}>
        <div className="card-head">
          <h2 id="health-card">Source health</h2>
        </div>
        {health.isError ? (
          <ErrorState error={health.error} onRetry={() => health.refetch()} />
        ) : !health.data ? (
          <div className="card-body" aria-busy="true">
            <Skeleton height={120} />
          </div>
        ) : (
          <div className="table-wrap" style={{ border: 0 }}>
            <table className="data" aria-label="Source health">
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col" className="num">
                    Events today
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Lag
                  </th>
                  <th scope="col">Last event</th>
                </tr>
              </thead>
              <tbody>
                {health.data.rows.map((r) => (
                  <tr key={r.source} data-id={r.source}>
                    <td>
                      {r.name} {r.is_active ? null : <span className="muted">(inactive)</span>}
                    </td>
                    <td className="num">{formatCount(r.events_today)}</td>
                    <td>
                      <StatusPill tone={STATUS_TONE[r.status]}>{r.status}</StatusPill>
                    </td>
                    <td className="num">
                      {r.lag_minutes === null ? '—' : `${formatCount(r.lag_minutes)} min`}
                    </td>
                    <td>
                      {r.last_event_at ? (
                        <time title={formatUtc(r.last_event_at)}>{timeAgo(r.last_event_at)}</time>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {me.data?.user.role === 'admin' ? <EditableSettings /> : null}
    </div>
  );
}
