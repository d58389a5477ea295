/**
 * The generator's choices: source, brand (any slug; known brands are suggested) and event types
 * (the platform's own postback types unless the admin picks others). All of it lives in the URL.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { EVENT_TYPES, type EventType, TYPE_NAMES } from '../../lib/event-types';
import { TypeBadge } from '../../ui/badge';
import { SelectField } from '../../ui/inputs';
import type { LinkOptions, LinkSourceInfo } from './links-api';
import { BRAND_RE } from './url-state';

function BrandField({
  value,
  brands,
  onChange,
}: {
  value: string | undefined;
  brands: LinkOptions['brands'];
  onChange: (brand: string | undefined) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value ?? '');
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => setDraft(value ?? ''), [value]);
  const text = draft.trim().toLowerCase();
  const valid = text === '' || BRAND_RE.test(text);
  useEffect(() => {
    if (!valid || text === (value ?? '')) return;
    const timer = setTimeout(() => latest.current(text === '' ? undefined : text), 400);
    return () => clearTimeout(timer);
  }, [text, valid, value]);
  return (
    <div className="field wide">
      <label className="field-label" htmlFor={id}>
        Brand
      </label>
      <input
        id={id}
        className="input"
        list={`${id}-brands`}
        value={draft}
        placeholder="e.g. britsino"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : `${id}-error`}
        onChange={(e) => setDraft(e.target.value)}
        data-testid="brand-input"
      />
      <datalist id={`${id}-brands`}>
        {brands.map((b) => (
          <option key={b.slug} value={b.slug}>
            {b.blocked ? `${b.name} (blocked)` : b.name}
          </option>
        ))}
      </datalist>
      {valid ? null : (
        <span id={`${id}-error`} className="form-error link-field-error" role="alert">
          Letters, digits, “.”, “-” or “_” only
        </span>
      )}
    </div>
  );
}

function TypesField({
  selected,
  platform,
  onChange,
}: {
  selected: readonly EventType[];
  platform: LinkSourceInfo | undefined;
  onChange: (types: EventType[]) => void;
}) {
  const fromUrl = (selected.length > 0 ? selected : (platform?.postbackTypes ?? [])).join(',');
  // The boxes follow a click at once; the URL (and so `selected`) follows in the router's transition.
  const [local, setLocal] = useState(fromUrl);
  useEffect(() => setLocal(fromUrl), [fromUrl]);
  const effective = EVENT_TYPES.filter((t) => local.split(',').includes(t));
  const toggle = (type: EventType) => {
    const picked = effective.includes(type) ? effective.filter((t) => t !== type) : [...effective, type];
    const next = EVENT_TYPES.filter((t) => picked.includes(t));
    setLocal(next.join(','));
    onChange(next);
  };
  return (
    <fieldset className="link-types">
      <legend className="field-label">Event types</legend>
      <div className="chips">
        {EVENT_TYPES.map((type) => {
          const on = effective.includes(type);
          return (
            <label key={type} className="check link-type" title={TYPE_NAMES[type]}>
              <input
                type="checkbox"
                checked={on}
                // The last one stays: no type at all would mean "the platform's own" again.
                disabled={on && effective.length === 1}
                onChange={() => toggle(type)}
              />
              <TypeBadge type={type} />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

export function LinkFilters({
  options,
  source,
  brand,
  types,
  onChange,
}: {
  options: LinkOptions;
  source: string | undefined;
  brand: string | undefined;
  types: readonly EventType[];
  onChange: (patch: { source?: string | undefined; brand?: string | undefined; types?: EventType[] }) => void;
}) {
  const platform = options.sources.find((s) => s.slug === source);
  return (
    <div className="filters link-filters" data-testid="link-filters">
      <SelectField
        label="Source"
        className="wide"
        value={source ?? ''}
        allLabel="Choose a source…"
        options={options.sources.map((s) => ({
          value: s.slug,
          label: `${s.name}${s.name === s.templateName ? '' : ` · ${s.templateName}`}${s.active ? '' : ' (inactive)'}`,
        }))}
        // A new platform has its own postback types: the type choice starts again.
        onChange={(v) => onChange({ source: v || undefined, types: [] })}
      />
      <BrandField value={brand} brands={options.brands} onChange={(b) => onChange({ brand: b })} />
      <TypesField selected={types} platform={platform} onChange={(t) => onChange({ types: t })} />
    </div>
  );
}
