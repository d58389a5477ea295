/**
 * A dry run or import job as the page polls it: a progress bar while it reads and stores, then the
 * counts, the rejected rows by line with their reasons, and a link to the imported events. A failed
 * import says that nothing was stored. Renders what it is given; never fetches.
 */
import { Link } from 'react-router';
import { toQueryString } from '../../api/client';
import { formatCount } from '../../lib/format';
import { type ImportJobView, isRunning } from './import-api';
import { ScrollRegion } from './scroll-region';

const DAY_MS = 86_400_000;
/** The event log shows at most this many days at once (the API's limit). */
const EVENT_LOG_MAX_DAYS = 400;

/** The event log filtered to what the job imported: its source, its brand (one), its days. */
export function eventsLink(job: ImportJobView): string {
  const params: Record<string, string | undefined> = { source: job.source };
  if (job.brands.length === 1) params.brand = job.brands[0];
  if (job.occurred) {
    const from = job.occurred.from.slice(0, 10);
    const to = job.occurred.to.slice(0, 10);
    if (Date.parse(to) - Date.parse(from) <= (EVENT_LOG_MAX_DAYS - 1) * DAY_MS) {
      params.from = from;
      params.to = to;
    }
  }
  return `/events${toQueryString(params)}`;
}

function stateText(job: ImportJobView): string {
  const what = job.kind === 'dry_run' ? 'Dry run' : 'Import';
  if (job.state === 'reading') return `${what}: reading and checking rows… ${formatCount(job.rows)} so far`;
  if (job.state === 'storing')
    return `Storing ${formatCount(job.rowsTotal ?? job.rows)} rows in one transaction…`;
  if (job.state === 'failed') return `${what} failed`;
  return job.kind === 'dry_run' ? 'Dry run finished: nothing was stored' : 'Import finished';
}

function ProgressBar({ job }: { job: ImportJobView }) {
  const running = isRunning(job);
  // Reading: the total is known only at the end of the file, so the bar moves without a value;
  // storing is one transaction, shown the same way; an ended job is full.
  return (
    <div
      className={`im-progress ${running ? 'running' : job.state}`}
      role="progressbar"
      aria-label="Import progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={running ? undefined : 100}
      aria-valuetext={stateText(job)}
    >
      <span />
    </div>
  );
}

function Counts({ job }: { job: ImportJobView }) {
  const items: Array<[string, number, string]> = [
    ['Rows', job.rows, 'rows'],
    [job.kind === 'dry_run' ? 'Valid' : 'Accepted', job.accepted, 'accepted'],
    ['Duplicates', job.duplicates, 'duplicates'],
    ['Rejected', job.rejected, 'rejected'],
  ];
  return (
    <dl className="im-counts">
      {items.map(([label, value, key]) => (
        <div key={key} className={`im-count ${key}`}>
          <dt>{label}</dt>
          <dd data-testid={`import-${key}`}>{formatCount(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ErrorsTable({ job }: { job: ImportJobView }) {
  if (job.errors.length === 0) return null;
  const where = job.lineWord === 'row' ? 'Row' : 'Line';
  const shown =
    job.errors.length < job.rejected
      ? `the first ${formatCount(job.errors.length)} of ${formatCount(job.rejected)}`
      : formatCount(job.errors.length);
  return (
    <div className="im-errors">
      <h3>Rejected rows ({shown})</h3>
      <ScrollRegion label="Rejected rows, scrollable">
        <table className="data" aria-label="Rejected rows">
          <thead>
            <tr>
              <th scope="col" className="num">
                {where}
              </th>
              <th scope="col">Reason</th>
              <th scope="col">Code</th>
            </tr>
          </thead>
          <tbody>
            {job.errors.map((e) => (
              <tr key={`${e.line}-${e.code}`} data-line={e.line}>
                <td className="num">{e.line}</td>
                <td className="im-reason">{e.reason}</td>
                <td>
                  <code>{e.code}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}

function Notes({ job }: { job: ImportJobView }) {
  const where = job.lineWord;
  return (
    <>
      {job.ignoredColumns.length > 0 ? (
        <p className="muted im-small">
          Ignored columns (no field for them in source “{job.source}”; kept in the raw body):{' '}
          {job.ignoredColumns.join(', ')}
        </p>
      ) : null}
      {job.timeFallbacks.rows > 0 ? (
        <p className="note im-small">
          {job.timeFallbacks.rows === 1
            ? '1 row has an event time that could not be read'
            : `${formatCount(job.timeFallbacks.rows)} rows have an event time that could not be read`}{' '}
          (first: {where} {job.timeFallbacks.firstLine}); {job.timeFallbacks.rows === 1 ? 'it' : 'they'}{' '}
          {job.kind === 'dry_run' ? 'would get' : 'got'} the time of the import instead. Use ISO 8601
          (2024-05-01T12:00:00Z) or Unix seconds.
        </p>
      ) : null}
    </>
  );
}

export function JobResult({ job }: { job: ImportJobView }) {
  const stored = job.kind === 'import' && job.state === 'finished' && job.accepted + job.duplicates > 0;
  return (
    <section
      className="card"
      aria-labelledby="im-result-title"
      data-testid="import-job"
      data-state={job.state}
    >
      <div className="card-head">
        <h2 id="im-result-title" className="im-title">
          {job.kind === 'dry_run' ? 'Dry run' : 'Import'} of {job.file}
          <span className="muted">
            {' '}
            into {job.source}
            {job.sheet ? `, sheet “${job.sheet}”` : ''}
          </span>
        </h2>
      </div>
      <div className="card-body im-result">
        <ProgressBar job={job} />
        <p className="im-state" role="status" data-testid="import-state">
          {stateText(job)}
        </p>
        {job.error ? (
          <p className="form-error" role="alert">
            {job.error.message}
            {job.kind === 'import' ? ' Nothing from this file was stored.' : ''}
          </p>
        ) : null}
        <Counts job={job} />
        <Notes job={job} />
        <ErrorsTable job={job} />
        {stored ? (
          <p>
            <Link to={eventsLink(job)} data-testid="import-events-link">
              Show the imported events in the event log →
            </Link>
          </p>
        ) : null}
      </div>
    </section>
  );
}
