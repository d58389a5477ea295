/**
 * What a test postback did: the endpoint's verdict, then the stored event as the event API shows
 * it (type badge, brand, amount, time), checked against the ids the test sent.
 */
import { Link } from 'react-router';
import { formatLocal, formatMoney, formatUtc } from '../../lib/format';
import { StatusPill, TypeBadge } from '../../ui/badge';
import { ErrorState, Skeleton } from '../../ui/states';
import { type TestResult, useLandedEvent } from './links-api';

function Verdict({ result }: { result: TestResult }) {
  const { verdict } = result;
  const tone = verdict.status === 'rejected' ? 'bad' : verdict.status === 'duplicate' ? 'warn' : 'good';
  return (
    <p className="link-verdict">
      <StatusPill tone={tone}>{verdict.status.toUpperCase()}</StatusPill>{' '}
      <span className="muted">HTTP {verdict.httpStatus}</span>
      {verdict.status === 'rejected' ? (
        <span>
          {' '}
          — {verdict.reason} <code>{verdict.code}</code>
          {verdict.field ? (
            <>
              {' '}
              (field <code>{verdict.field}</code>)
            </>
          ) : null}
        </span>
      ) : null}
    </p>
  );
}

function LandedEvent({ result }: { result: TestResult }) {
  const eventId = result.verdict.eventId;
  const event = useLandedEvent(eventId);
  if (eventId === null) return null;
  if (event.isError)
    return (
      <ErrorState error={event.error} title="The event could not be read" onRetry={() => event.refetch()} />
    );
  if (!event.data) return <Skeleton height={48} />;
  const e = event.data;
  const matches =
    e.transaction_id === result.transactionId && e.external_uid === result.playerId && e.type === result.type;
  return (
    <div className="link-landed" data-testid="landed-event" data-event-id={e.id}>
      <div className="link-landed-head">
        <span>{matches ? 'Landed in the event log' : 'Stored, but not with the values sent'}</span>
        {e.is_test ? <StatusPill tone="neutral">TEST</StatusPill> : null}
      </div>
      <dl className="link-facts">
        <div>
          <dt>Type</dt>
          <dd>
            <TypeBadge type={e.type} />
          </dd>
        </div>
        <div>
          <dt>Brand</dt>
          <dd data-testid="landed-brand">{e.brand}</dd>
        </div>
        <div>
          <dt>Amount</dt>
          <dd className="num" data-testid="landed-amount">
            {formatMoney(e.amount, e.currency)}
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            <time dateTime={e.time} title={formatUtc(e.time)}>
              {formatLocal(e.time)}
            </time>
          </dd>
        </div>
        <div>
          <dt>{e.transaction_id ? 'Transaction ID' : 'Player ID'}</dt>
          <dd className="mono" data-testid="landed-id">
            {e.transaction_id ?? e.external_uid ?? '—'}
          </dd>
        </div>
        <div>
          <dt>Event</dt>
          <dd>
            <Link to={`/events?test=test&brand=${encodeURIComponent(e.brand)}&event=${e.id}`}>#{e.id}</Link>
          </dd>
        </div>
      </dl>
    </div>
  );
}

export function TestOutcome({ result }: { result: TestResult }) {
  return (
    <div className="link-test" data-testid="test-outcome" aria-live="polite">
      <Verdict result={result} />
      {result.senderIp ? (
        <p className="muted" style={{ fontSize: 12.5 }} data-testid="test-sender">
          The source has an IP allow-list: the test was sent as from {result.senderIp}, an address it allows.
          The network's servers must send from an address on the list.
        </p>
      ) : null}
      <LandedEvent result={result} />
      <details className="link-test-sent" data-testid="test-sent">
        <summary>What the test sent</summary>
        <dl className="fields">
          {Object.entries(result.sent).map(([field, value]) => (
            <div key={field}>
              <dt>{field}</dt>
              <dd className="mono">{value}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
