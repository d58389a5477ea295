/**
 * Currency & FX rates: the base currency and one row per other currency ("1 USD = 0.92 EUR"),
 * rows added and removed freely, saved together as exact decimal strings (never floats). Off by
 * default: without rates the panel shows revenue per currency only. Currencies revenue has
 * arrived in but which have no rate are offered as one-click rows.
 */
import { useId, useState } from 'react';
import {
  errorField,
  onSubmit,
  SaveBar,
  SettingInput,
  savedNotice,
  serverMessage,
  UnsavedMark,
} from './form-parts';
import { type AdminSettings, type Fx, useSaveSettings } from './settings-api';

interface Row {
  key: number;
  code: string;
  rate: string;
}
interface Draft {
  base: string;
  rows: Row[];
}

const CODE_RE = /^[A-Za-z]{3}$/;
const RATE_RE = /^\d{1,12}(\.\d{1,6})?$/;
let rowKeys = 0;

/** The saved rates as rows (the base currency's own rate of 1 is implied). */
function rowsOf(fx: Fx | null): Omit<Row, 'key'>[] {
  if (!fx) return [];
  return Object.entries(fx.rates)
    .filter(([code]) => code !== fx.base)
    .map(([code, rate]) => ({ code, rate }));
}

function draftOf(fx: Fx | null): Draft {
  return { base: fx?.base ?? '', rows: rowsOf(fx).map((r) => ({ ...r, key: ++rowKeys })) };
}

/** A draft as the server would store it, to tell whether anything changed. */
function signature(d: { base: string; rows: Omit<Row, 'key'>[] }): string {
  const rows = d.rows.map((r) => `${r.code.trim().toUpperCase()}=${r.rate.trim()}`).sort();
  return JSON.stringify([d.base.trim().toUpperCase(), rows]);
}

/** Field errors keyed like the server's (`fx.base`, `fx.rates.USD`), or the value to send. */
function check(d: Draft): { errors: Record<string, string> } | { fx: Fx | null } {
  const errors: Record<string, string> = {};
  const base = d.base.trim().toUpperCase();
  if (base === '' && d.rows.length === 0) return { fx: null };
  if (!CODE_RE.test(base)) errors['fx.base'] = 'Enter the base currency as a 3-letter ISO code, like EUR';
  const rates: Record<string, string> = {};
  d.rows.forEach((r, i) => {
    const code = r.code.trim().toUpperCase();
    const key = `row.${r.key}`;
    if (!CODE_RE.test(code)) errors[key] = `Row ${i + 1}: enter a 3-letter ISO currency code`;
    else if (code === base) errors[key] = `${code} is the base currency (its rate is always 1)`;
    else if (code in rates) errors[key] = `${code} is listed twice`;
    else if (!RATE_RE.test(r.rate.trim()) || Number(r.rate) <= 0)
      errors[key] = `${code}: enter a rate above 0 like 0.92 (at most 6 decimals)`;
    rates[code] = r.rate.trim();
  });
  return Object.keys(errors).length > 0 ? { errors } : { fx: { base, rates } };
}

export function FxCard({ data }: { data: AdminSettings }) {
  const id = useId();
  const save = useSaveSettings();
  const entry = data.settings.fx;
  const serverKey = JSON.stringify(entry);
  const [synced, setSynced] = useState(serverKey);
  const [draft, setDraft] = useState<Draft>(() => draftOf(entry.value));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  if (synced !== serverKey) {
    setSynced(serverKey);
    setDraft(draftOf(entry.value));
  }

  const dirty = signature(draft) !== signature({ base: entry.value?.base ?? '', rows: rowsOf(entry.value) });
  const base = draft.base.trim().toUpperCase();
  const listed = new Set([base, ...draft.rows.map((r) => r.code.trim().toUpperCase())]);
  const missing = data.revenueCurrencies.filter((c) => !listed.has(c));

  // A server error names `fx.base` or `fx.rates.<CODE>`: show it on that input.
  const failed = errorField(save.error);
  const failedRow = draft.rows.find((r) => failed === `fx.rates.${r.code.trim().toUpperCase()}`);
  const serverError = (key: string) =>
    (key === 'fx.base' && failed === 'fx.base') || (failedRow && key === `row.${failedRow.key}`)
      ? serverMessage(save.error, failed)
      : undefined;
  const cardError =
    save.error && failed !== 'fx.base' && !failedRow ? serverMessage(save.error, failed) : null;
  const errorOf = (key: string) => errors[key] ?? serverError(key);

  const change = (next: Draft) => {
    setDraft(next);
    setErrors({});
    setNotice(null);
    save.reset();
  };
  const setRow = (key: number, patch: Partial<Row>) =>
    change({ ...draft, rows: draft.rows.map((r) => (r.key === key ? { ...r, ...patch } : r)) });
  const addRow = (code = '') =>
    change({ ...draft, rows: [...draft.rows, { key: ++rowKeys, code, rate: '' }] });
  const removeRow = (key: number) => change({ ...draft, rows: draft.rows.filter((r) => r.key !== key) });
  const submit = () => {
    const result = check(draft);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    save.mutate({ fx: result.fx }, { onSuccess: (res) => setNotice(savedNotice(res.changed)) });
  };

  return (
    <section className="card st-card" aria-labelledby={`${id}-title`} data-testid="fx-settings">
      <div className="card-head">
        <h2 id={`${id}-title`}>Currency &amp; FX rates</h2>
        <UnsavedMark dirty={dirty} />
      </div>
      <form className="card-body st-form" onSubmit={onSubmit(submit)} noValidate>
        <p className="st-intro">
          Revenue is always shown per currency. With a base currency and a rate for every currency revenue
          arrives in, the dashboard also shows one total in the base currency (exact decimals, rounded to 6
          places). {entry.value ? null : <strong>Off (the default).</strong>}
        </p>
        <SettingInput
          id={`${id}-base`}
          label="Base currency"
          inputMode="text"
          value={draft.base}
          onChange={(v) => change({ ...draft, base: v.toUpperCase() })}
          error={errorOf('fx.base')}
          hint="ISO 4217 code, e.g. EUR. Its own rate is 1."
        />
        <fieldset className="st-rates">
          <legend className="field-label">Rates</legend>
          {draft.rows.length === 0 ? <p className="st-hint">No other currency yet.</p> : null}
          <ul className="st-rate-list">
            {draft.rows.map((r, i) => {
              const code = r.code.trim().toUpperCase() || '…';
              const error = errorOf(`row.${r.key}`);
              return (
                <li key={r.key} className="st-rate-row" data-currency={r.code.trim().toUpperCase()}>
                  <span className="st-rate-eq">1</span>
                  <input
                    className="input st-code"
                    aria-label={`Currency of row ${i + 1}`}
                    value={r.code}
                    maxLength={3}
                    autoComplete="off"
                    onChange={(e) => setRow(r.key, { code: e.target.value.toUpperCase() })}
                    aria-invalid={error ? true : undefined}
                  />
                  <span className="st-rate-eq">=</span>
                  <input
                    className="input st-rate"
                    aria-label={`Rate of ${code} in ${base || 'the base currency'}`}
                    inputMode="decimal"
                    autoComplete="off"
                    value={r.rate}
                    placeholder="0.92"
                    onChange={(e) => setRow(r.key, { rate: e.target.value })}
                    aria-invalid={error ? true : undefined}
                  />
                  <span className="st-rate-eq">{base || 'base'}</span>
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon"
                    aria-label={`Remove ${code} row`}
                    onClick={() => removeRow(r.key)}
                  >
                    ×
                  </button>
                  {error ? <p className="st-error st-row-error">{error}</p> : null}
                </li>
              );
            })}
          </ul>
          <div className="st-add">
            <button type="button" className="btn" onClick={() => addRow()}>
              + Add currency
            </button>
            {missing.map((c) => (
              <button key={c} type="button" className="btn btn-ghost" onClick={() => addRow(c)}>
                + {c} <span className="muted">(revenue without a rate)</span>
              </button>
            ))}
          </div>
        </fieldset>
        {entry.overridden ? (
          <button
            type="button"
            className="btn btn-ghost st-reset"
            onClick={() => change({ base: '', rows: [] })}
          >
            Reset to default (off)
          </button>
        ) : null}
        <SaveBar
          dirty={dirty}
          saving={save.isPending}
          notice={notice}
          error={cardError}
          onDiscard={() => change(draftOf(entry.value))}
        />
      </form>
    </section>
  );
}
