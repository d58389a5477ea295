/**
 * One generated postback URL: the event types it reports, the URL with a copy button, the
 * platform's caveats, and "Fire a test postback" with what came of it.
 */
import { useState } from 'react';
import type { EventType } from '../../lib/event-types';
import { TYPE_NAMES } from '../../lib/event-types';
import { TypeBadge } from '../../ui/badge';
import { errorText } from '../../ui/states';
import { CopyButton, LinkText } from './link-url';
import { type GeneratedLink, useTestPostback } from './links-api';
import { TestOutcome } from './test-result';

function TestButton({ source, brand, types }: { source: string; brand: string; types: EventType[] }) {
  const [type, setType] = useState<EventType | undefined>(types[0]);
  const fire = useTestPostback();
  const chosen = type !== undefined && types.includes(type) ? type : types[0];
  return (
    <div className="link-test-area">
      <div className="toolbar">
        {types.length > 1 ? (
          <label className="link-test-type">
            <span className="sr-only">Event type to test</span>
            <select className="select" value={chosen} onChange={(e) => setType(e.target.value as EventType)}>
              {types.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button
          type="button"
          className="btn btn-primary"
          disabled={fire.isPending || chosen === undefined}
          onClick={() => chosen && fire.mutate({ source, brand, type: chosen })}
          data-testid="fire-test"
        >
          {fire.isPending ? 'Sending…' : 'Fire a test postback'}
        </button>
      </div>
      {fire.isError ? (
        <p className="form-error" role="alert">
          {errorText(fire.error)}
        </p>
      ) : null}
      {fire.data ? <TestOutcome key={fire.data.url} result={fire.data} /> : null}
    </div>
  );
}

export function LinkCard({ link, source, brand }: { link: GeneratedLink; source: string; brand: string }) {
  const title = link.shared ? 'One URL for every event' : TYPE_NAMES[link.types[0] ?? 'REG'];
  const label = link.shared ? 'the shared URL' : `the ${link.types[0]} URL`;
  return (
    <section className="card link-card" data-testid="link-card" data-link={link.id} aria-label={title}>
      <header className="card-head">
        <h2 className="link-title">
          <span className="chips">
            {link.types.map((t) => (
              <TypeBadge key={t} type={t} />
            ))}
          </span>
          <span>{title}</span>
        </h2>
        <CopyButton text={link.url} label={`Copy ${label}`} />
      </header>
      <div className="card-body link-body">
        <LinkText link={link} />
        {link.warnings.map((w) => (
          <p key={w} className="note link-warning">
            {w}
          </p>
        ))}
        <TestButton source={source} brand={brand} types={link.types} />
      </div>
    </section>
  );
}
