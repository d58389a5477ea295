/**
 * Sources admin `/admin/sources` (admins): one card per affiliate network with its template,
 * authentication, key prefix, allow-list and status; "Add network" (the key is shown once); the
 * edit panel for mappings, allow-list, currency, active and key rotation; a link to the Link
 * Generator for each source. Every change is audited by the server.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { formatLocalDate, formatUtc } from '../../lib/format';
import { StatusPill } from '../../ui/badge';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states';
import { AddSourcePanel } from './add-source-panel';
import { EditSourcePanel } from './edit-source-panel';
import { type AdminSource, useAdminSources, useSourceTemplates } from './sources-admin-api';
import './sources-admin.css';

function overrideCount(source: AdminSource): number {
  return (
    Object.keys(source.paramMap).length + Object.keys(source.eventMap).length + source.declinedStatuses.length
  );
}

function SourceCard({
  source,
  templateName,
  onEdit,
}: {
  source: AdminSource;
  templateName: string;
  onEdit: () => void;
}) {
  const custom = overrideCount(source);
  return (
    <li className="card src-card" data-slug={source.slug} aria-labelledby={`src-${source.id}`}>
      <div className="card-head">
        <h2 id={`src-${source.id}`} className="src-name">
          {source.name}
        </h2>
        <StatusPill tone={source.isActive ? 'good' : 'neutral'}>
          {source.isActive ? 'ACTIVE' : 'INACTIVE'}
        </StatusPill>
      </div>
      <div className="card-body">
        <dl className="fields src-card-fields">
          <dt>Slug</dt>
          <dd>
            <code>{source.slug}</code>
          </dd>
          <dt>Template</dt>
          <dd>
            <span className="chip">{templateName}</span>
            {custom > 0 ? <span className="muted"> · {custom} custom</span> : null}
          </dd>
          <dt>Auth</dt>
          <dd>{source.authMode === 'hmac' ? 'HMAC signature' : 'Key in URL'}</dd>
          <dt>Key</dt>
          <dd>
            <code data-testid="card-key-prefix">{source.keyPrefix}••••••••</code>
            {source.previousKeyValidUntil ? (
              <span className="src-grace" title={formatUtc(source.previousKeyValidUntil)}>
                {' '}
                old key valid until {formatUtc(source.previousKeyValidUntil)}
              </span>
            ) : null}
          </dd>
          <dt>Addresses</dt>
          <dd>
            {source.ipAllowlist.length === 0
              ? 'any'
              : source.ipAllowlist.length <= 2
                ? source.ipAllowlist.join(', ')
                : `${source.ipAllowlist.length} ranges`}
          </dd>
          <dt>Currency</dt>
          <dd>{source.defaultCurrency ?? <span className="muted">none by default</span>}</dd>
          <dt>Created</dt>
          <dd>
            <time title={formatUtc(source.createdAt)}>{formatLocalDate(source.createdAt)}</time>
          </dd>
        </dl>
        <div className="toolbar src-card-actions">
          <button type="button" className="btn" onClick={onEdit} aria-label={`Edit ${source.name}`}>
            Edit
          </button>
          <Link className="btn" to={`/links?source=${encodeURIComponent(source.slug)}`}>
            Link Generator
          </Link>
        </div>
      </div>
    </li>
  );
}

function CardsSkeleton() {
  return (
    <div className="grid-cards" aria-busy="true">
      <span className="sr-only">Loading sources…</span>
      {['a', 'b', 'c'].map((k) => (
        <div key={k} className="card src-card">
          <div className="card-body">
            <Skeleton height={18} width="40%" />
            <Skeleton height={150} className="src-skeleton" />
          </div>
        </div>
      ))}
    </div>
  );
}

export function SourcesAdminPage() {
  const sources = useAdminSources();
  const templates = useSourceTemplates();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const rows = sources.data?.sources ?? [];
  const current = rows.find((s) => s.slug === editing);
  const templateName = (id: string) =>
    templates.data?.templates.find((x) => x.id === id)?.name ?? id.toUpperCase();
  const failed = sources.isError ? sources : templates.isError ? templates : null;
  return (
    <>
      <div className="page-head">
        <div className="sub" data-testid="sources-total">
          {sources.data
            ? `${rows.length} networks · ${rows.filter((s) => s.isActive).length} active`
            : 'Loading networks…'}
        </div>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!templates.data}
          onClick={() => setAdding(true)}
        >
          + Add network
        </button>
      </div>
      {failed ? (
        <div className="card">
          <ErrorState
            error={failed.error}
            onRetry={() => failed.refetch()}
            title="Could not load the sources"
          />
        </div>
      ) : !sources.data || !templates.data ? (
        <CardsSkeleton />
      ) : rows.length === 0 ? (
        <div className="card">
          <EmptyState title="No networks yet">
            Add one with Add network: pick its platform template and give the network the postback URL.
          </EmptyState>
        </div>
      ) : (
        <ul className="grid-cards src-cards" aria-label="Sources">
          {rows.map((s) => (
            <SourceCard
              key={s.slug}
              source={s}
              templateName={templateName(s.template)}
              onEdit={() => setEditing(s.slug)}
            />
          ))}
        </ul>
      )}
      {adding && templates.data ? (
        <AddSourcePanel templates={templates.data} onClose={() => setAdding(false)} />
      ) : null}
      {current && templates.data && sources.data ? (
        <EditSourcePanel
          key={current.slug}
          source={current}
          templates={templates.data}
          graceSeconds={sources.data.keyRotationGraceSeconds}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </>
  );
}
