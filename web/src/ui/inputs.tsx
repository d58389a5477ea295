/** Form controls shared by the filter bars: labelled select, text, date and a multi-select. */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

export function SelectField({
  label,
  value,
  onChange,
  options,
  className = '',
  allLabel,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  className?: string;
  /** Adds a first option with an empty value (e.g. "All brands"). */
  allLabel?: string;
}) {
  const id = useId();
  // Shown at once; the URL (and so `value`) follows in the router's transition.
  const [local, setLocal] = useState(value);
  useEffect(() => setLocal(value), [value]);
  return (
    <div className={`field ${className}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="select"
        value={local}
        onChange={(e) => {
          setLocal(e.target.value);
          onChange(e.target.value);
        }}
      >
        {allLabel !== undefined ? <option value="">{allLabel}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A text input that reports after the user pauses typing (debounced), and follows URL changes. */
export function TextField({
  label,
  value,
  onChange,
  placeholder,
  className = '',
  delay = 350,
  type = 'text',
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  className?: string;
  delay?: number;
  type?: 'text' | 'date' | 'search';
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const timer = setTimeout(() => latest.current(draft), type === 'date' ? 0 : delay);
    return () => clearTimeout(timer);
  }, [draft, value, delay, type]);
  return (
    <div className={`field ${className}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type={type}
        value={draft}
        placeholder={placeholder}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') latest.current(draft);
        }}
      />
    </div>
  );
}

export function MultiSelect({
  label,
  values,
  options,
  onChange,
  renderOption,
}: {
  label: string;
  values: readonly string[];
  options: readonly string[];
  onChange: (values: string[]) => void;
  renderOption?: (value: string) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  // The checked boxes follow a click at once; the URL (and so `values`) follows in a transition.
  const [local, setLocal] = useState<readonly string[]>(values);
  useEffect(() => setLocal(values), [values]);
  const toggle = (value: string) => {
    const next = local.includes(value)
      ? local.filter((v) => v !== value)
      : options.filter((o) => o === value || local.includes(o));
    setLocal(next);
    onChange(next);
  };
  return (
    <div className="field multi" ref={root}>
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      <button
        type="button"
        className="btn"
        aria-haspopup="true"
        aria-expanded={open}
        aria-labelledby={`${id}-label ${id}-value`}
        onClick={() => setOpen((o) => !o)}
      >
        <span id={`${id}-value`}>{local.length === 0 ? 'All' : local.join(', ')}</span>
        <span aria-hidden>▾</span>
      </button>
      {open ? (
        <fieldset className="multi-menu" aria-label={label}>
          {options.map((o) => (
            <label key={o} className="check">
              <input type="checkbox" checked={local.includes(o)} onChange={() => toggle(o)} />
              {renderOption ? renderOption(o) : o}
            </label>
          ))}
        </fieldset>
      ) : null}
    </div>
  );
}

/**
 * A checkbox whose value lives in the URL: it shows the new state at once, while the router
 * applies the URL change in a transition (a plain controlled box would flick back meanwhile).
 */
export function CheckField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const [local, setLocal] = useState(checked);
  useEffect(() => setLocal(checked), [checked]);
  return (
    <label className="check" style={{ height: 30 }}>
      <input
        type="checkbox"
        checked={local}
        onChange={(e) => {
          setLocal(e.target.checked);
          onChange(e.target.checked);
        }}
      />
      {label}
    </label>
  );
}
