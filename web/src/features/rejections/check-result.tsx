/**
 * What the postback tester found: the verdict (accepted as which event, a duplicate of which, or
 * rejected for which reason, with the HTTP status the network would get), each step with its
 * outcome, the event's fields and the parameters as parsed. Renders what it is given.
 */
import type { ReactNode } from 'react';
import { formatLocal, formatMoney, formatUtc } from '../../lib/format';
import { TypeBadge } from '../../ui/badge';
import type { PostbackCheckResult } from './queries';
import { reasonLabel } from './reasons';

type Step = PostbackCheckResult['steps'][number];
type CheckedEvent = NonNullable<PostbackCheckResult['event']>;

const STEP_LABELS: Record<Step['name'], string> = {
  parse: 'Parse',
  authenticate: 'Authenticate',
  map: 'Map parameters',
  validate: 'Validate',
  macros: 'Macro detection',
  dedup: 'Duplicate check',
};
const STATUS_TONE: Record<Step['status'], string> = {
  passed: 'good',
  failed: 'bad',
  warning: 'warn',
  skipped: 'neutral',
};

function Verdict({ r }: { r: PostbackCheckResult }) {
  if (r.verdict === 'rejected' && r.rejection) {
    return (
      <div className="rj-verdict bad" data-testid="check-verdict" data-verdict="rejected">
        <strong>Rejected</strong> — {reasonLabel(r.rejection.code)}: {r.rejection.reason}{' '}
        <span className="muted">
          (<code>{r.rejection.code}</code>
          {r.rejection.field ? (
            <>
              , field <code>{r.rejection.field}</code>
            </>
          ) : null}
          ; the network gets HTTP {r.httpStatus})
        </span>
      </div>
    );
  }
  if (r.verdict === 'duplicate') {
    return (
      <div className="rj-verdict warn" data-testid="check-verdict" data-verdict="duplicate">
        <strong>Duplicate</strong> of event #{r.duplicateOf} — the network gets HTTP 200, nothing new is
        stored and no second notification is sent.
      </div>
    );
  }
  return (
    <div className="rj-verdict good" data-testid="check-verdict" data-verdict="accepted">
      <strong>Accepted</strong> — stored as {r.event ? <TypeBadge type={r.event.type} /> : null} for brand{' '}
      <strong>{r.event?.brand}</strong>
      {r.event?.brokenMacro ? ', flagged as a broken tag' : ''}{' '}
      <span className="muted">(the network gets HTTP 200)</span>
    </div>
  );
}

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        {children === null || children === undefined || children === '' ? (
          <span className="muted">—</span>
        ) : (
          children
        )}
      </dd>
    </>
  );
}

function EventFields({ e }: { e: CheckedEvent }) {
  return (
    <dl className="fields" data-testid="check-event">
      <Field name="Type">
        <TypeBadge type={e.type} />
      </Field>
      <Field name="Raw event">
        <code>{e.rawEvent}</code>
      </Field>
      <Field name="Brand">{e.brand}</Field>
      <Field name="Source">{`${e.sourceName} (${e.source})`}</Field>
      <Field name="Affiliate ID">{e.affiliateId}</Field>
      <Field name="SubID">{e.subId}</Field>
      <Field name="External UID">{e.externalUid}</Field>
      <Field name="Transaction ID">{e.transactionId}</Field>
      <Field name="Tracking tag">
        {e.trackingTag ? <span className="tag-value">{e.trackingTag}</span> : null}
      </Field>
      <Field name="Traffic source">{e.trafficSource}</Field>
      <Field name="Country">{e.country}</Field>
      <Field name="Amount">{e.amount === null ? null : formatMoney(e.amount, e.currency)}</Field>
      <Field name="Test flag">{e.isTest ? 'test event' : 'production'}</Field>
      <Field name="Sender">{e.sender}</Field>
      <Field name="Sheet">{e.sheet}</Field>
      <Field name="Time">
        {formatLocal(e.occurredAt)} <span className="muted">({formatUtc(e.occurredAt)})</span>
      </Field>
      <Field name="Broken macro">
        {e.brokenMacro ? (
          <span className="pill warn">
            {e.brokenMacro} in {e.brokenFields.join(', ')}
          </span>
        ) : null}
      </Field>
      <Field name="Duplicate key">{e.dedupKey ? <code>{e.dedupKey}</code> : null}</Field>
    </dl>
  );
}

export function CheckResult({ r }: { r: PostbackCheckResult }) {
  return (
    <div className="rj-result" data-testid="check-result">
      <Verdict r={r} />
      {r.request.notes.length > 0 ? (
        <ul className="rj-notes">
          {r.request.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      <ol className="rj-steps" aria-label="Steps">
        {r.steps.map((s) => (
          <li key={s.name} data-step={s.name} data-status={s.status}>
            <span className={`pill ${STATUS_TONE[s.status]}`}>{s.status.toUpperCase()}</span>
            <strong>{STEP_LABELS[s.name]}</strong>
            <span className="rj-step-detail">{s.detail}</span>
          </li>
        ))}
      </ol>
      {r.event ? (
        <>
          <h3>The event it would become</h3>
          <EventFields e={r.event} />
        </>
      ) : null}
      {r.params ? (
        <details className="rj-params">
          <summary>Parameters as parsed ({r.params.length})</summary>
          <dl className="fields">
            {r.params.map((p) => (
              <Field key={p.name} name={p.name}>
                {p.values.join('') === '' ? null : <span className="mono">{p.values.join(' | ')}</span>}
              </Field>
            ))}
          </dl>
        </details>
      ) : null}
      <p className="muted rj-small">Checked only: nothing was stored, counted or notified.</p>
    </div>
  );
}
