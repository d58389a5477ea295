/**
 * The pieces every settings card shares: a labelled input with its hint, inline error and
 * "reset to default", the unsaved-changes marker, and the footer with Save, Discard and the
 * saved notice. Presentational only: the cards hold the state and talk to the API.
 */
import type { FormEvent, ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { errorText } from '../../ui/states';

/** The server's message for a field, without the `field:` prefix the API adds for other callers. */
export function serverMessage(error: unknown, field?: string): string {
  const text = errorText(error);
  return field && text.startsWith(`${field}: `) ? text.slice(field.length + 2) : text;
}

/** The field a failed save points at, if the server named one. */
export function errorField(error: unknown): string | undefined {
  return error instanceof ApiError ? error.field : undefined;
}

export function SettingInput({
  id,
  label,
  value,
  onChange,
  suffix,
  hint,
  error,
  onReset,
  inputMode = 'decimal',
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  suffix?: string;
  hint?: ReactNode;
  error?: string;
  /** Shown when the setting is overridden: puts the default back (saved with the card). */
  onReset?: () => void;
  inputMode?: 'decimal' | 'numeric' | 'text';
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="st-field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="st-control">
        <input
          id={id}
          className="input"
          inputMode={inputMode}
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
        />
        {suffix ? (
          <span className="st-suffix" aria-hidden>
            {suffix}
          </span>
        ) : null}
        {onReset ? (
          <button type="button" className="btn btn-ghost st-reset" onClick={onReset}>
            Reset to default
          </button>
        ) : null}
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="st-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="st-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function UnsavedMark({ dirty }: { dirty: boolean }) {
  return dirty ? <span className="st-unsaved">● Unsaved changes</span> : null;
}

export function SaveBar({
  dirty,
  saving,
  notice,
  error,
  onDiscard,
  saveLabel = 'Save',
}: {
  dirty: boolean;
  saving: boolean;
  /** Shown after a successful save until the next edit. */
  notice: string | null;
  /** A card-level error (one that names no field of this card). */
  error: string | null;
  onDiscard: () => void;
  saveLabel?: string;
}) {
  return (
    <div className="st-actions">
      <span className="st-status" role="status">
        {notice && !dirty ? <span className="st-saved">✓ {notice}</span> : null}
      </span>
      {error ? (
        <p className="form-error st-card-error" role="alert">
          {error}
        </p>
      ) : null}
      {dirty ? (
        <button type="button" className="btn btn-ghost" onClick={onDiscard} disabled={saving}>
          Discard
        </button>
      ) : null}
      <button type="submit" className="btn btn-primary" disabled={!dirty || saving}>
        {saving ? 'Saving…' : saveLabel}
      </button>
    </div>
  );
}

/** A form's submit handler that never reloads the page. */
export function onSubmit(handler: () => void) {
  return (e: FormEvent) => {
    e.preventDefault();
    handler();
  };
}

/** "Saved: 2 changes" / "Nothing to change": what a save reports. */
export function savedNotice(changed: readonly string[] | undefined): string {
  const n = changed?.length ?? 0;
  if (n === 0) return 'Already saved — nothing changed';
  return `Saved (${n} ${n === 1 ? 'change' : 'changes'})`;
}
