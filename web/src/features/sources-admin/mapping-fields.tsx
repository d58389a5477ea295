/**
 * The mapping part of the Add and Edit forms: default currency, IP allow-list, declined statuses,
 * parameter names per field (pre-filled from the template, overridden fields marked) and extra
 * event words. Renders the draft it is given; the server's error for a field is shown under it.
 */
import { type ReactNode, useId } from 'react';
import { errorFor, isOverridden, type MappingDraft, newEventWord } from './mapping-draft';
import type { EventTypeName, SourceTemplate } from './sources-admin-api';

export function FieldError({ message, id }: { message: string | null; id: string }) {
  return message ? (
    <span className="src-field-error" id={id} role="alert">
      {message}
    </span>
  ) : null;
}

/** A labelled input with its hint and the server's error for it. */
export function FormRow({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error: string | null;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint ? (
        <div className="src-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      <FieldError message={error} id={`${id}-error`} />
    </div>
  );
}

function ParamTable({
  template,
  fields,
  draft,
  onChange,
  error,
}: {
  template: SourceTemplate;
  fields: readonly string[];
  draft: MappingDraft;
  onChange: (draft: MappingDraft) => void;
  error: unknown;
}) {
  const setField = (field: string, text: string) =>
    onChange({ ...draft, params: { ...draft.params, [field]: text } });
  return (
    <table className="src-params">
      <caption className="sr-only">Parameter names read for each field</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Parameter names, first found wins</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => {
          const text = draft.params[field] ?? '';
          const custom = isOverridden(template, field, text);
          const message = errorFor(error, `paramMap.${field}`);
          return (
            <tr key={field} data-field={field}>
              <th scope="row">
                <code>{field}</code>
                {custom ? <span className="chip src-custom">custom</span> : null}
              </th>
              <td>
                <div className="src-param-input">
                  <input
                    className="input"
                    value={text}
                    aria-label={`Parameter names for ${field}`}
                    aria-invalid={message ? true : undefined}
                    onChange={(e) => setField(field, e.target.value)}
                  />
                  {custom ? (
                    <button
                      type="button"
                      className="btn btn-ghost"
                      aria-label={`Reset ${field} to the ${template.name} names`}
                      onClick={() => setField(field, (template.params[field] ?? []).join(', '))}
                    >
                      Reset
                    </button>
                  ) : null}
                </div>
                {message ? (
                  <span className="src-field-error" role="alert">
                    {message}
                  </span>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function EventWords({
  template,
  eventTypes,
  draft,
  onChange,
  error,
}: {
  template: SourceTemplate;
  eventTypes: readonly EventTypeName[];
  draft: MappingDraft;
  onChange: (draft: MappingDraft) => void;
  error: unknown;
}) {
  const setRow = (id: number, change: Partial<{ word: string; type: EventTypeName }>) =>
    onChange({ ...draft, events: draft.events.map((r) => (r.id === id ? { ...r, ...change } : r)) });
  const message = errorFor(error, 'eventMap');
  return (
    <div className="src-events">
      <details className="src-template-words">
        <summary>Words {template.name} already understands</summary>
        <dl className="fields">
          {eventTypes.map((type) => (
            <div key={type} className="src-dl-row">
              <dt>
                <span className={`badge t-${type}`}>{type}</span>
              </dt>
              <dd>{(template.events[type] ?? []).join(', ') || '—'}</dd>
            </div>
          ))}
        </dl>
      </details>
      {draft.events.length === 0 ? (
        <p className="muted src-hint">No extra words. Add one for a network's own goal names or numbers.</p>
      ) : (
        <ul className="src-event-rows">
          {draft.events.map((row) => (
            <li key={row.id}>
              <input
                className="input"
                value={row.word}
                placeholder="e.g. goal_7"
                aria-label="Event word"
                onChange={(e) => setRow(row.id, { word: e.target.value })}
              />
              <select
                className="select"
                value={row.type}
                aria-label={`Type for ${row.word || 'the new word'}`}
                onChange={(e) => setRow(row.id, { type: e.target.value as EventTypeName })}
              >
                {eventTypes.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="btn btn-ghost"
                aria-label={`Remove ${row.word || 'this word'}`}
                onClick={() => onChange({ ...draft, events: draft.events.filter((r) => r.id !== row.id) })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {message ? (
        <span className="src-field-error" role="alert">
          {message}
        </span>
      ) : null}
      <div>
        <button
          type="button"
          className="btn"
          onClick={() => onChange({ ...draft, events: [...draft.events, newEventWord()] })}
        >
          + Add event word
        </button>
      </div>
    </div>
  );
}

export function MappingFields({
  template,
  fields,
  eventTypes,
  draft,
  onChange,
  error,
}: {
  template: SourceTemplate;
  fields: readonly string[];
  eventTypes: readonly EventTypeName[];
  draft: MappingDraft;
  onChange: (draft: MappingDraft) => void;
  error: unknown;
}) {
  return (
    <>
      <FormRow
        label="Default currency"
        hint="Used when a postback has an amount but no currency. Leave empty to refuse such postbacks."
        error={errorFor(error, 'defaultCurrency')}
      >
        {(props) => (
          <input
            {...props}
            className="input src-narrow"
            value={draft.currency}
            maxLength={3}
            placeholder="EUR"
            autoCapitalize="characters"
            onChange={(e) => onChange({ ...draft, currency: e.target.value })}
          />
        )}
      </FormRow>
      <FormRow
        label="IP allow-list"
        hint="One address or CIDR range per line (IPv4 or IPv6). Empty: postbacks are accepted from any address."
        error={errorFor(error, 'ipAllowlist')}
      >
        {(props) => (
          <textarea
            {...props}
            className="input src-textarea"
            rows={3}
            value={draft.allowlist}
            placeholder={'203.0.113.0/24\n2001:db8::/32'}
            onChange={(e) => onChange({ ...draft, allowlist: e.target.value })}
          />
        )}
      </FormRow>
      <FormRow
        label="Extra declined statuses"
        hint={
          <>
            Status values that mean "declined", besides the template's:{' '}
            <code>{template.declinedStatuses.join(', ')}</code>
          </>
        }
        error={errorFor(error, 'declinedStatuses')}
      >
        {(props) => (
          <input
            {...props}
            className="input"
            value={draft.declined}
            placeholder="e.g. chargeback, 4"
            onChange={(e) => onChange({ ...draft, declined: e.target.value })}
          />
        )}
      </FormRow>
      <section className="src-section" aria-label="Parameter names">
        <h3>Parameter names</h3>
        <p className="src-hint">
          Pre-filled from the {template.name} template. Change a row to read other names for that field; a
          changed row is marked <span className="chip src-custom">custom</span>.
        </p>
        <ParamTable template={template} fields={fields} draft={draft} onChange={onChange} error={error} />
      </section>
      <section className="src-section" aria-label="Event words">
        <h3>Extra event words</h3>
        <EventWords
          template={template}
          eventTypes={eventTypes}
          draft={draft}
          onChange={onChange}
          error={error}
        />
      </section>
    </>
  );
}
