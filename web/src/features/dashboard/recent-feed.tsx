/**
 * The last events, newest first: type badge, brand (or source on a brand's page) and time ago.
 * Rows whose id is in `fresh` (just pushed by the server) are highlighted for a moment.
 */
import { Link } from 'react-router';
import type { EventItem } from '../../api/types';
import { formatUtc, timeAgo } from '../../lib/format';
import { TypeBadge } from '../../ui/badge';

export function RecentFeed({
  rows,
  show = 'brand',
  fresh,
}: {
  rows: EventItem[];
  show?: 'brand' | 'source';
  fresh?: ReadonlySet<number>;
}) {
  return (
    <ul className="feed" data-testid="recent-feed">
      {rows.map((e) => (
        <li
          key={e.id}
          className={`${e.is_test ? 'test-event' : ''} ${fresh?.has(e.id) ? 'live-new' : ''}`.trim()}
          data-id={e.id}
          data-fresh={fresh?.has(e.id) ? 'true' : undefined}
        >
          <TypeBadge type={e.type} />
          {show === 'brand' ? (
            <Link
              className="brand"
              to={`/brands/${encodeURIComponent(e.brand)}`}
              title={`${e.source_name} · event ${e.id}`}
            >
              {e.brand}
            </Link>
          ) : (
            <Link className="brand" to={`/events?brand=${encodeURIComponent(e.brand)}&event=${e.id}`}>
              {e.source_name}
              {e.affiliate_id ? <span className="muted"> · {e.affiliate_id}</span> : null}
            </Link>
          )}
          <time className="ago" dateTime={e.time} title={formatUtc(e.time)}>
            {timeAgo(e.time)}
          </time>
        </li>
      ))}
    </ul>
  );
}
