/**
 * Source lag thresholds: one row per source, saved row by row. A source is healthy while its last
 * event is at most "warning" minutes old, in warning up to "error" minutes, in error beyond
 * (the statuses of Source health and the Sources page). Reset puts back the platform template's
 * defaults, saved with the row.
 */
import { useId, useState } from 'react';
import { formatCount } from '../../lib/format';
import { errorField, serverMessage } from './form-parts';
import { type AdminSettings, type Bounds, type SourceLag, useSaveSourceLag } from './settings-api';

type Field = 'warningMinutes' | 'errorMinutes';
type Drafts = Record<Field, string>;

const FIELDS: { name: Field; label: string }[] = [
  { name: 'warningMinutes', label: 'Warning after' },
  { name: 'errorMinutes', label: 'Error after' },
];

function check(d: Drafts, b: Bounds): { errors: Partial<Drafts> } | { lag: Record<Field, number> } {
  const errors: Partial<Drafts> = {};
  const lag = { warningMinutes: 0, errorMinutes: 0 };
  for (const f of FIELDS) {
    const t = d[f.name].trim().replace(/[,\s]/g, '');
    const n = Number(t);
    if (!/^\d{1,6}$/.test(t) || n < b.min || n > b.max)
      errors[f.name] = `Whole minutes from ${formatCount(b.min)} to ${formatCount(b.max)}`;
    lag[f.name] = n;
  }
  if (!errors.warningMinutes && !errors.errorMinutes && lag.errorMinutes <= lag.warningMinutes)
    errors.errorMinutes = 'Must be more than the warning threshold';
  return Object.keys(errors).length > 0 ? { errors } : { lag };
}

function LagRow({ source, bounds }: { source: SourceLag; bounds: Bounds }) {
  const id = useId();
  const save = useSaveSourceLag(source.slug);
  const saved: Drafts = {
    warningMinutes: String(source.warningMinutes),
    errorMinutes: String(source.errorMinutes),
  };
  const serverKey = JSON.stringify(saved);
  const [synced, setSynced] = useState(serverKey);
  const [drafts, setDrafts] = useState<Drafts>(saved);
  const [errors, setErrors] = useState<Partial<Drafts>>({});
  const [notice, setNotice] = useState<string | null>(null);
  if (synced !== serverKey) {
    setSynced(serverKey);
    setDrafts(saved);
  }
  const dirty = drafts.warningMinutes !== saved.warningMinutes || drafts.errorMinutes !== saved.errorMinutes;
  const atDefault =
    drafts.warningMinutes === String(source.default.warningMinutes) &&
    drafts.errorMinutes === String(source.default.errorMinutes);
  const failed = errorField(save.error);
  const rowError = save.error && failed !== 'warningMinutes' && failed !== 'errorMinutes';

  const edit = (next: Drafts) => {
    setDrafts(next);
    setErrors({});
    setNotice(null);
    save.reset();
  };
  const submit = () => {
    const result = check(drafts, bounds);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    save.mutate(result.lag, { onSuccess: (res) => setNotice(res.changed ? 'Saved' : 'Already saved') });
  };

  return (
    <tr data-id={source.slug} className={dirty ? 'st-dirty-row' : undefined}>
      <th scope="row">
        {source.name} {source.isActive ? null : <span className="muted">(inactive)</span>}
        {dirty ? <span className="st-unsaved st-row-mark">● Unsaved</span> : null}
      </th>
      {FIELDS.map((f) => {
        const error = errors[f.name] ?? (failed === f.name ? serverMessage(save.error, f.name) : undefined);
        return (
          <td key={f.name}>
            <div className="st-control">
              <input
                id={`${id}-${f.name}`}
                className="input st-minutes"
                inputMode="numeric"
                autoComplete="off"
                aria-label={`${source.name}: ${f.label.toLowerCase()} (minutes)`}
                value={drafts[f.name]}
                onChange={(e) => edit({ ...drafts, [f.name]: e.target.value })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') submit();
                }}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-${f.name}-error` : undefined}
              />
              <span className="st-suffix" aria-hidden>
                min
              </span>
            </div>
            {error ? (
              <p id={`${id}-${f.name}-error`} className="st-error">
                {error}
              </p>
            ) : null}
          </td>
        );
      })}
      <td className="num muted nowrap">
        {formatCount(source.default.warningMinutes)} / {formatCount(source.default.errorMinutes)}
      </td>
      <td>
        <div className="st-row-actions">
          <button
            type="button"
            className={dirty ? 'btn btn-primary' : 'btn'}
            disabled={!dirty || save.isPending}
            onClick={submit}
          >
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          {atDefault ? null : (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() =>
                edit({
                  warningMinutes: String(source.default.warningMinutes),
                  errorMinutes: String(source.default.errorMinutes),
                })
              }
            >
              Reset to default
            </button>
          )}
          {dirty ? (
            <button type="button" className="btn btn-ghost" onClick={() => edit(saved)}>
              Discard
            </button>
          ) : null}
          <span role="status" className="st-status">
            {notice && !dirty ? <span className="st-saved">✓ {notice}</span> : null}
          </span>
        </div>
        {rowError ? (
          <p className="form-error" role="alert">
            {serverMessage(save.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

export function LagCard({ data }: { data: AdminSettings }) {
  const id = useId();
  const b = data.bounds.lagMinutes;
  return (
    <section className="card st-card st-wide" aria-labelledby={`${id}-title`} data-testid="lag-settings">
      <div className="card-head">
        <h2 id={`${id}-title`}>Source lag thresholds</h2>
      </div>
      <div className="card-body">
        <p className="st-intro">
          Minutes since a source's last event before its status turns <strong>warning</strong>, then{' '}
          <strong>error</strong> (Source health above, the Sources page, silent-source alerts). Each row is
          saved on its own; from {formatCount(b.min)} to {formatCount(b.max)} minutes.
        </p>
      </div>
      {data.sourceLag.length === 0 ? (
        <p className="card-body muted">No sources yet: add one on the Sources admin page.</p>
      ) : (
        <div className="table-wrap" style={{ border: 0 }}>
          <table className="data st-lag" aria-label="Source lag thresholds">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Warning after</th>
                <th scope="col">Error after</th>
                <th scope="col" className="num">
                  Default
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.sourceLag.map((s) => (
                <LagRow key={s.slug} source={s} bounds={b} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
