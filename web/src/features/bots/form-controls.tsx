/**
 * Form pieces of the Bots page: a labelled field that shows its own error (tied to the input with
 * aria-describedby / aria-invalid) and a chip list input for scope values (brands, sources,
 * affiliates) with suggestions. Render what they are given; never fetch.
 */
import { type KeyboardEvent, type ReactNode, useId, useState } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div className="field bot-field" data-field-error={error ? 'true' : undefined}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': described || undefined })}
      {hint ? (
        <div className="bot-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="bot-field-error" id={`${id}-error`}>
          {label}: {error}
        </div>
      ) : null}
    </div>
  );
}

/**
 * Values as removable chips plus a text input: Enter, a comma or leaving the input adds what was
 * typed; Backspace on an empty input removes the last chip.
 */
export function ChipsInput({
  label,
  what,
  values,
  onChange,
  suggestions = [],
  normalise = (v) => v.trim(),
  placeholder,
  control,
}: {
  label: string;
  /** Singular noun for the remove buttons ("Remove brand x"). */
  what: string;
  values: readonly string[];
  onChange: (values: string[]) => void;
  suggestions?: readonly { value: string; label: string }[];
  normalise?: (value: string) => string;
  placeholder?: string;
  control: ControlProps;
}) {
  const [draft, setDraft] = useState('');
  const listId = useId();
  const add = (text: string) => {
    const fresh = text
      .split(',')
      .map(normalise)
      .filter((v) => v !== '' && !values.includes(v));
    if (fresh.length > 0) onChange([...values, ...new Set(fresh)]);
    setDraft('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      add(draft);
    } else if (e.key === 'Backspace' && draft === '' && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div className="chips-input">
      {values.length > 0 ? (
        <ul className="chips" aria-label={`${label} chosen`}>
          {values.map((v) => (
            <li key={v} className="chip">
              {v}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${what} ${v}`}
                onClick={() => onChange(values.filter((x) => x !== v))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        {...control}
        className="input"
        value={draft}
        placeholder={placeholder}
        list={suggestions.length > 0 ? listId : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => add(draft)}
        autoComplete="off"
      />
      {suggestions.length > 0 ? (
        <datalist id={listId}>
          {suggestions
            .filter((s) => !values.includes(s.value))
            .map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
        </datalist>
      ) : null}
    </div>
  );
}
