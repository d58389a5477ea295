/**
 * The Import page's controls: the source and worksheet pickers and the Dry run / Import buttons.
 * They show and report choices; the page decides what happens.
 */
import { useId } from 'react';
import { errorText } from '../../ui/states';
import type { ImportSetup, PreviewAnswer } from './import-api';

export function SourceSelect({
  sources,
  value,
  onChange,
  disabled,
}: {
  sources: ImportSetup['sources'];
  value: string;
  onChange: (slug: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Source
      </label>
      <select
        id={id}
        className="select"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        data-testid="import-source"
      >
        <option value="">Choose the source…</option>
        {sources.map((s) => (
          <option key={s.slug} value={s.slug}>
            {s.name} ({s.slug}){s.isActive ? '' : ' — inactive'}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SheetSelect({
  preview,
  onChange,
  disabled,
}: {
  preview: PreviewAnswer;
  onChange: (sheet: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  if (!preview.sheets) return null;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        Worksheet
      </label>
      <select
        id={id}
        className="select"
        value={preview.sheet}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        data-testid="import-sheet"
      >
        {preview.sheets.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name}
            {s.visible ? '' : ' (hidden)'}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Actions({
  canRun,
  busy,
  onRun,
  startError,
}: {
  canRun: boolean;
  busy: boolean;
  onRun: (dryRun: boolean) => void;
  startError: unknown;
}) {
  return (
    <div className="im-actions">
      <button type="button" className="btn" disabled={!canRun || busy} onClick={() => onRun(true)}>
        Dry run
      </button>
      <button
        type="button"
        className="btn btn-primary"
        disabled={!canRun || busy}
        onClick={() => onRun(false)}
      >
        Import
      </button>
      <span className="muted im-small">
        A dry run checks every row and stores nothing. An import stores the good rows all at once, or nothing
        if it fails; rejected rows are listed by line.
      </span>
      {startError ? (
        <p className="form-error" role="alert">
          {errorText(startError)}
        </p>
      ) : null}
    </div>
  );
}
