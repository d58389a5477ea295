/** Brand and source dropdowns fed by the option lists; a URL value not in the list is still shown. */
import { SelectField } from '../../ui/inputs';
import { useBrandOptions, useSourceOptions } from './options';

function withCurrent(options: { value: string; label: string }[] | undefined, current: string | undefined) {
  const list = options ?? [];
  if (current && !list.some((o) => o.value === current)) return [{ value: current, label: current }, ...list];
  return list;
}

export function BrandSelect({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
}) {
  const brands = useBrandOptions();
  return (
    <SelectField
      label="Brand"
      value={value ?? ''}
      allLabel={brands.isPending ? 'Loading…' : 'All brands'}
      options={withCurrent(brands.data, value)}
      onChange={(v) => onChange(v || undefined)}
    />
  );
}

export function SourceSelect({
  value,
  onChange,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
}) {
  const sources = useSourceOptions();
  return (
    <SelectField
      label="Source"
      value={value ?? ''}
      allLabel={sources.isPending ? 'Loading…' : 'All sources'}
      options={withCurrent(sources.data, value)}
      onChange={(v) => onChange(v || undefined)}
    />
  );
}

/** Clear for a filter bar, with the number of active filters as its badge. */
export function ClearFilters({ count, onClear }: { count: number; onClear: () => void }) {
  return (
    <div className="actions">
      <button
        type="button"
        className="btn"
        onClick={onClear}
        disabled={count === 0}
        data-testid="clear-filters"
      >
        Clear
        {count > 0 ? (
          <span className="count" data-testid="filter-count">
            {count}
            <span className="sr-only"> active filters</span>
          </span>
        ) : null}
      </button>
    </div>
  );
}
