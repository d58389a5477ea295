/**
 * Link Generator `/links` (admins): choose a source, a brand and event types, get the postback URLs
 * to paste into that platform — its own placeholders, the source's key — each with a copy button
 * and "Fire a test postback", which goes through the real endpoint and shows the event land.
 */
import { Link } from 'react-router';
import { useUrlState } from '../../lib/url-state';
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from '../../ui/states';
import { LinkCard } from './link-card';
import { LinkFilters } from './link-filters';
import { type GeneratedLinks, useGeneratedLinks, useLinkOptions } from './links-api';
import './links.css';
import { linksSearch } from './url-state';

function SourceInfo({ data }: { data: GeneratedLinks }) {
  const { source } = data;
  return (
    <section className="card" aria-label="About this platform">
      <div className="card-body link-info">
        <p>
          <strong>{source.name}</strong> uses the <strong>{source.templateName}</strong> template:{' '}
          {source.urlPerEvent
            ? 'one postback URL per event type, the event word written in each.'
            : 'one postback URL for every event, the event sent as a placeholder.'}{' '}
          Placeholders are <span className="link-macro">highlighted</span>; the platform replaces them. Brand{' '}
          <code>{data.brand.slug}</code> is written as text.
        </p>
        <details>
          <summary>What we know and assumed about {source.templateName}</summary>
          <p className="muted">{source.notes}</p>
        </details>
        {data.warnings.map((w) => (
          <p key={w} className="note link-warning" data-testid="link-warning">
            {w}
          </p>
        ))}
      </div>
    </section>
  );
}

function GeneratedList({ source, brand, types }: { source: string; brand: string; types: string[] }) {
  const links = useGeneratedLinks(source, brand, types);
  if (links.isError)
    return (
      <div className="card">
        <ErrorState error={links.error} title="Could not write the URLs" onRetry={() => links.refetch()} />
      </div>
    );
  if (!links.data)
    return (
      <div className="stack" aria-busy="true">
        <span className="sr-only">Loading…</span>
        <Skeleton height={70} />
        <Skeleton height={120} />
        <Skeleton height={120} />
      </div>
    );
  const data = links.data;
  return (
    <div className="stack link-list" style={{ opacity: links.isPlaceholderData ? 0.6 : 1 }}>
      <SourceInfo data={data} />
      {data.links.map((link) => (
        <LinkCard
          key={`${data.source.slug}-${data.brand.slug}-${link.id}`}
          link={link}
          source={data.source.slug}
          brand={data.brand.slug}
        />
      ))}
    </div>
  );
}

/** True for a base URL no affiliate network could reach: loopback, private ranges, .local. */
export function unreachable(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return true;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  // IPv6: loopback, unique-local (fc00::/7), link-local (fe80::/10).
  if (host.includes(':')) return host === '::1' || /^(fc|fd|fe[89ab])/.test(host);
  const v4 = host.match(/^(\d+)\.(\d+)\.\d+\.\d+$/);
  if (!v4) return false;
  const [a, b] = [Number(v4[1]), Number(v4[2])];
  return (
    a === 127 ||
    a === 10 ||
    a === 0 ||
    (a === 192 && b === 168) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 169 && b === 254)
  );
}

export function LinksPage() {
  const [state, setState] = useUrlState(linksSearch);
  const options = useLinkOptions();
  if (options.isError)
    return (
      <div className="card">
        <ErrorState
          error={options.error}
          title="Could not load the sources"
          onRetry={() => options.refetch()}
        />
      </div>
    );
  if (!options.data) return <TableSkeleton rows={3} columns={3} />;
  if (options.data.sources.length === 0)
    return (
      <div className="card">
        <EmptyState title="No sources yet">
          Postback URLs are written for a source. <Link to="/admin/sources">Add a source</Link> first.
        </EmptyState>
      </div>
    );
  return (
    <>
      <div className="page-head">
        <div className="sub">
          Postback URLs to paste into each network, sent to <code>{options.data.baseUrl}</code>
        </div>
      </div>
      {unreachable(options.data.baseUrl) ? (
        <div className="note" data-testid="base-url-warning">
          <strong>{options.data.baseUrl}</strong> is an address only this machine or network can reach: a
          network's servers could not send postbacks to it. Set <code>PUBLIC_BASE_URL</code> to the panel's
          public address (e.g. https://track.example.com) and restart. The test below runs inside the server,
          so it lands even so.
        </div>
      ) : null}
      <LinkFilters
        options={options.data}
        source={state.source}
        brand={state.brand}
        types={state.types}
        onChange={(patch) => setState(patch, { replace: true })}
      />
      {state.source !== undefined && state.brand !== undefined ? (
        <GeneratedList source={state.source} brand={state.brand} types={state.types} />
      ) : (
        <div className="card">
          <EmptyState title="Choose a source and a brand">
            The URLs carry the source’s key and the brand’s slug, so both are needed. Pick the event types the
            network will report; by default, the ones its platform sends.
          </EmptyState>
        </div>
      )}
    </>
  );
}
