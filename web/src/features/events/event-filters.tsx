/** The event log's filter bar: brand, types, from/to, test mode, source and tag text. */
import { EVENT_TYPES } from '../../lib/event-types';
import { TypeBadge } from '../../ui/badge';
import { MultiSelect, SelectField, TextField } from '../../ui/inputs';
import { BrandSelect } from '../shared/filter-fields';
import { CLEARED, type EventsSearch, TEST_MODES } from './url-state';

const TEST_LABELS: Record<(typeof TEST_MODES)[number], string> = {
  all: 'All',
  production: 'Production only',
  test: 'Test only',
};

export function EventFilters({
  search,
  set,
}: {
  search: EventsSearch;
  set: (patch: Partial<Record<keyof EventsSearch, string | readonly string[] | number | undefined>>) => void;
}) {
  const change = (patch: Parameters<typeof set>[0]) => set({ ...patch, page: 1 });
  return (
    <search className="filters" aria-label="Event filters" id="event-filters">
      <BrandSelect value={search.brand} onChange={(brand) => change({ brand })} />
      <MultiSelect
        label="Event type"
        values={search.type}
        options={EVENT_TYPES}
        onChange={(type) => change({ type })}
        renderOption={(t) => <TypeBadge type={t} />}
      />
      <TextField
        label="From (UTC)"
        type="date"
        value={search.from ?? ''}
        onChange={(from) => change({ from: from || undefined })}
      />
      <TextField
        label="To (UTC)"
        type="date"
        value={search.to ?? ''}
        onChange={(to) => change({ to: to || undefined })}
      />
      <SelectField
        label="Test events"
        value={search.test}
        options={TEST_MODES.map((m) => ({ value: m, label: TEST_LABELS[m] }))}
        onChange={(test) => change({ test })}
      />
      <TextField
        label="Source"
        value={search.source ?? ''}
        placeholder="e.g. AFFISE"
        onChange={(source) => change({ source: source || undefined })}
      />
      <TextField
        label="Tracking tag"
        className="wide"
        value={search.tag ?? ''}
        placeholder="e.g. WA_FR_DIM_20"
        onChange={(tag) => change({ tag: tag || undefined })}
      />
      <div className="actions">
        <button type="button" className="btn" onClick={() => set({ ...CLEARED })} data-testid="clear-filters">
          Clear
        </button>
      </div>
    </search>
  );
}
