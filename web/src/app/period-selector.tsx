/**
 * The top bar's period selector: the presets the current page offers, and Custom with two dates.
 * It writes `period` (or `from`/`to`) into the URL; the page reads the same parameters.
 */
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { type PeriodConfig, PRESET_LABELS, readPeriod, todayUtc, writePeriod } from '../lib/periods';

export function PeriodSelector({ config }: { config: PeriodConfig }) {
  const [search, setSearch] = useSearchParams();
  const current = readPeriod(config, search);
  const [customOpen, setCustomOpen] = useState(current.preset === 'custom');
  const [from, setFrom] = useState(current.from ?? todayUtc(-7));
  const [to, setTo] = useState(current.to ?? todayUtc());
  const showCustom = customOpen || current.preset === 'custom';
  const choose = (value: Parameters<typeof writePeriod>[2]) =>
    setSearch((s) => writePeriod(config, s, value), { preventScrollReset: true });
  return (
    <div className="period-bar" data-testid="period-selector">
      <div className="scroller">
        <fieldset className="segmented">
          <legend className="sr-only">Period</legend>
          {config.presets.map((preset) => (
            <button
              key={preset}
              type="button"
              aria-pressed={current.preset === preset}
              onClick={() => {
                setCustomOpen(false);
                choose({ period: preset });
              }}
            >
              {PRESET_LABELS[preset]}
            </button>
          ))}
          <button type="button" aria-pressed={showCustom} onClick={() => setCustomOpen(true)}>
            Custom
          </button>
        </fieldset>
      </div>
      {showCustom ? (
        <form
          className="period-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (from && to && from <= to) choose({ from, to });
          }}
        >
          <input
            className="input"
            type="date"
            aria-label="From (UTC)"
            value={from}
            max={to}
            onChange={(e) => setFrom(e.target.value)}
          />
          <input
            className="input"
            type="date"
            aria-label="To (UTC)"
            value={to}
            min={from}
            onChange={(e) => setTo(e.target.value)}
          />
          <button type="submit" className="btn">
            Apply
          </button>
        </form>
      ) : null}
    </div>
  );
}
