/**
 * Compare `/compare`: Day (today vs yesterday), Week, Month, or Custom (two date ranges); brand,
 * source and test filters. One card per metric and revenue currency (current, previous, change,
 * % with an arrow, "new" when the previous was 0), then the three rates with the change in pp.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import type { Compare } from '../../api/types';
import { isEventType } from '../../lib/event-types';
import { formatChangePct, formatCount, formatDecimal, formatRate, formatSigned } from '../../lib/format';
import { todayUtc } from '../../lib/periods';
import { dateParam, enumParam, slugParam, useUrlState } from '../../lib/url-state';
import { ErrorState, Skeleton } from '../../ui/states';
import { BrandSelect, ClearFilters, SourceSelect } from '../shared/filter-fields';
import { METRIC_TEST_MODES, TestSelect } from '../shared/test-select';

const MODES = ['day', 'week', 'month', 'last_month', 'custom'] as const;
const MODE_LABELS: Record<(typeof MODES)[number], string> = {
  day: 'Day',
  week: 'Week',
  month: 'Month',
  last_month: 'Last Month',
  custom: 'Custom',
};
const MODE_TITLES: Record<(typeof MODES)[number], [string, string]> = {
  day: ['Today', 'Yesterday'],
  week: ['This week', 'Last week'],
  month: ['This month', 'Last month'],
  last_month: ['Last month', 'The month before'],
  custom: ['Period', 'Compared with'],
};
const METRIC_ORDER = ['CLICK', 'REG', 'FTD', 'CPA', 'DEP', 'REDEP'];
const RATE_LABELS: Record<string, string> = {
  click_to_reg: 'Click → REG',
  reg_to_ftd: 'REG → FTD',
  reg_to_cpa: 'REG → CPA',
};

const compareSearch = z.object({
  mode: enumParam(MODES, 'day'),
  from: dateParam(),
  to: dateParam(),
  compare_from: dateParam(),
  compare_to: dateParam(),
  brand: slugParam(),
  source: slugParam(),
  test: enumParam(METRIC_TEST_MODES, 'production'),
});

/** "Nov 26, 00:00 – Nov 27, 00:00 UTC" style range for a compare side ([from, to) in UTC). */
function rangeText(r: { from: string; to: string }): string {
  const end = new Date(new Date(r.to).getTime() - 1);
  const day = (d: Date) => d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const start = new Date(r.from);
  const whole = r.to.endsWith('T00:00:00.000Z');
  if (whole) return day(start) === day(end) ? day(start) : `${day(start)} – ${day(end)}`;
  return `${day(start)} – ${day(end)} ${end.toISOString().slice(11, 13)}:59 UTC`;
}

function Change({ pct, change, text }: { pct: number | 'new' | null; change: number; text: string }) {
  const tone = pct === 'new' || change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  return (
    <div className={`change ${tone}`} data-change={tone}>
      <span aria-hidden>{tone === 'up' ? '▲' : tone === 'down' ? '▼' : '■'}</span> {text}{' '}
      <span className="pct">({formatChangePct(pct)})</span>
    </div>
  );
}

function MetricCard({ m }: { m: Compare['metrics'][number] }) {
  const type = isEventType(m.metric) ? m.metric : undefined;
  return (
    <div
      className={`kpi cmp ${type ? `t-${type}` : ''} ${m.metric === 'CPA' ? 'primary' : ''}`}
      data-metric={m.metric}
    >
      <div className="label">{m.metric === 'CLICK' ? 'CLICKS' : m.metric}</div>
      <div className="value">{formatCount(m.current)}</div>
      <div className="prev">
        prev <span className="num">{formatCount(m.previous)}</span>
      </div>
      <Change pct={m.change_pct} change={m.change} text={formatSigned(m.change)} />
    </div>
  );
}

function RevenueCompareCard({ r }: { r: Compare['revenue'][number] }) {
  const change = Number(r.change);
  return (
    <div className="kpi cmp t-CPA" data-metric={`REVENUE_${r.currency}`}>
      <div className="label">REVENUE · {r.currency}</div>
      <div className="value">{formatDecimal(r.current)}</div>
      <div className="prev">
        prev <span className="num">{formatDecimal(r.previous)}</span>
      </div>
      <Change
        pct={r.change_pct}
        change={change}
        text={`${change > 0 ? '+' : ''}${formatDecimal(r.change)}`}
      />
    </div>
  );
}

/** The Revenue card when neither period has CPA revenue: the metric is still shown, as zero. */
function NoRevenueCard() {
  return (
    <div className="kpi cmp t-CPA" data-metric="REVENUE">
      <div className="label">REVENUE</div>
      <div className="value">0</div>
      <div className="prev muted">no CPA revenue in either period</div>
    </div>
  );
}

export function ComparePage() {
  const [s, set] = useUrlState(compareSearch);
  const [draft, setDraft] = useState({
    from: s.from ?? todayUtc(-6),
    to: s.to ?? todayUtc(),
    compare_from: s.compare_from ?? '',
    compare_to: s.compare_to ?? '',
  });
  // Custom compares two dates (a day with a day); ranges are there for the one who asks.
  const [ranges, setRanges] = useState(
    Boolean(s.from && s.to && (s.from !== s.to || (s.compare_from ?? '') !== (s.compare_to ?? ''))),
  );
  const [day, setDay] = useState({ date: s.from ?? todayUtc(-1), other: s.compare_from ?? todayUtc(-8) });
  const customReady = s.mode !== 'custom' || (s.from && s.to);
  const params = {
    mode: s.mode,
    brand: s.brand,
    source: s.source,
    test: s.test,
    ...(s.mode === 'custom'
      ? { from: s.from, to: s.to, compare_from: s.compare_from, compare_to: s.compare_to }
      : {}),
  };
  const compare = useQuery({
    queryKey: ['compare', params],
    queryFn: ({ signal }) => api.get<Compare>('/api/v1/compare', params, signal),
    enabled: Boolean(customReady),
    placeholderData: keepPreviousData,
  });
  const data = compare.data;
  const [currentTitle, previousTitle] = MODE_TITLES[s.mode];
  const active = [s.brand, s.source, s.test !== 'production'].filter(Boolean).length;
  const metrics = data
    ? [...data.metrics].sort((a, b) => METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric))
    : [];

  return (
    <>
      <div className="page-head">
        <fieldset className="segmented">
          <legend className="sr-only">Comparison mode</legend>
          {MODES.map((m) => (
            <button key={m} type="button" aria-pressed={s.mode === m} onClick={() => set({ mode: m })}>
              {MODE_LABELS[m]}
            </button>
          ))}
        </fieldset>
        <div className="sub" data-testid="compare-ranges">
          {data ? (
            <>
              <strong style={{ color: 'var(--text-strong)' }}>{currentTitle}</strong>{' '}
              {rangeText(data.current)} vs{' '}
              <strong style={{ color: 'var(--text-strong)' }}>{previousTitle}</strong>{' '}
              {rangeText(data.previous)}
              {data.like_for_like ? ' · like for like (same elapsed time)' : ''}
            </>
          ) : (
            ' '
          )}
        </div>
      </div>

      {s.mode === 'custom' && !ranges ? (
        <form
          className="filters"
          aria-label="Custom dates"
          onSubmit={(e) => {
            e.preventDefault();
            set({ from: day.date, to: day.date, compare_from: day.other, compare_to: day.other });
          }}
        >
          <label className="field">
            <span>Date (UTC)</span>
            <input
              className="input"
              type="date"
              required
              value={day.date}
              onChange={(e) => setDay((d) => ({ ...d, date: e.target.value }))}
            />
          </label>
          <label className="field">
            <span>Compared with</span>
            <input
              className="input"
              type="date"
              required
              value={day.other}
              onChange={(e) => setDay((d) => ({ ...d, other: e.target.value }))}
            />
          </label>
          <div className="actions">
            <button type="submit" className="btn btn-primary">
              Compare
            </button>
            <button type="button" className="btn-link" onClick={() => setRanges(true)}>
              Compare ranges instead
            </button>
          </div>
        </form>
      ) : null}

      {s.mode === 'custom' && ranges ? (
        <form
          className="filters"
          aria-label="Custom periods"
          onSubmit={(e) => {
            e.preventDefault();
            set({
              from: draft.from,
              to: draft.to,
              compare_from: draft.compare_from || undefined,
              compare_to: draft.compare_to || undefined,
            });
          }}
        >
          {(
            [
              ['from', 'Period from (UTC)'],
              ['to', 'Period to'],
              ['compare_from', 'Compare from (optional)'],
              ['compare_to', 'Compare to'],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="field">
              <span>{label}</span>
              <input
                className="input"
                type="date"
                value={draft[key]}
                onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
              />
            </label>
          ))}
          <div className="actions">
            <button type="submit" className="btn btn-primary">
              Compare
            </button>
            <button type="button" className="btn-link" onClick={() => setRanges(false)}>
              Compare two dates instead
            </button>
          </div>
        </form>
      ) : null}

      <search className="filters" aria-label="Compare filters">
        <BrandSelect value={s.brand} onChange={(brand) => set({ brand })} />
        <SourceSelect value={s.source} onChange={(source) => set({ source })} />
        <TestSelect value={s.test} onChange={(test) => set({ test })} />
        <ClearFilters
          count={active}
          onClear={() => set({ brand: undefined, source: undefined, test: 'production' })}
        />
      </search>

      {!customReady ? (
        <div className="note">
          Pick the period to compare, then press Compare. Without compare dates, the equally long period just
          before is used.
        </div>
      ) : compare.isError && !data ? (
        <div className="card">
          <ErrorState error={compare.error} onRetry={() => compare.refetch()} title="Could not compare" />
        </div>
      ) : (
        <>
          <div
            className="kpis cmp-grid"
            data-testid="compare-cards"
            style={{ opacity: compare.isPlaceholderData ? 0.6 : 1 }}
          >
            {data
              ? [
                  ...metrics.map((m) => <MetricCard key={m.metric} m={m} />),
                  ...(data.revenue.length > 0
                    ? data.revenue.map((r) => <RevenueCompareCard key={r.currency} r={r} />)
                    : [<NoRevenueCard key="revenue" />]),
                ]
              : Array.from({ length: 7 }, (_, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
                  <div key={i} className="kpi cmp" aria-busy="true">
                    <Skeleton height={12} width="40%" />
                    <Skeleton height={28} width="60%" className="value" />
                    <Skeleton height={12} width="70%" />
                  </div>
                ))}
          </div>

          <section className="card" aria-labelledby="rates-title">
            <div className="card-head">
              <h2 id="rates-title">Conversion rates</h2>
            </div>
            <div className="table-wrap" style={{ border: 0 }}>
              <table className="data" aria-label="Conversion rates">
                <thead>
                  <tr>
                    <th scope="col">Rate</th>
                    <th scope="col" className="num">
                      {currentTitle}
                    </th>
                    <th scope="col" className="num">
                      {previousTitle}
                    </th>
                    <th scope="col" className="num">
                      Change
                    </th>
                    <th scope="col" className="num">
                      Threshold
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data
                    ? data.rates.map((r) => (
                        <tr key={r.rate} data-id={r.rate}>
                          <td>{RATE_LABELS[r.rate] ?? r.rate}</td>
                          <td className="num">{formatRate(r.current)}</td>
                          <td className="num">{formatRate(r.previous)}</td>
                          <td
                            className={`num ${r.change_pp === null ? '' : r.change_pp > 0 ? 'tone-up' : r.change_pp < 0 ? 'tone-down' : ''}`}
                          >
                            {r.change_pp === null
                              ? '—'
                              : `${r.change_pp > 0 ? '+' : ''}${r.change_pp.toFixed(1)} pp`}
                          </td>
                          <td className="num muted">{formatRate(r.threshold, 0)}</td>
                        </tr>
                      ))
                    : Array.from({ length: 3 }, (_, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
                        <tr key={i}>
                          <td colSpan={5}>
                            <Skeleton height={14} />
                          </td>
                        </tr>
                      ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
