/**
 * KPI cards (one per event type; CPA highlighted in amber as the primary metric), the Revenue
 * card (only when there is CPA revenue) and the three conversion-rate cards with their bar.
 */
import type { Counts, Money, Rate, Rates, Summary } from '../api/types';
import type { EventType } from '../lib/event-types';
import { formatCount, formatDecimal, formatRate } from '../lib/format';
import { Skeleton } from './states';

const KPI_ORDER: EventType[] = ['CLICK', 'REG', 'FTD', 'CPA', 'REDEP', 'DEP'];

export function KpiCards({ counts }: { counts: Counts | undefined }) {
  return (
    <div className="kpis" data-testid="kpis">
      {KPI_ORDER.map((type) => (
        <div
          key={type}
          className={`kpi t-${type} ${type === 'CPA' ? 'primary' : ''}`}
          data-kpi={type}
          aria-busy={counts === undefined}
        >
          <div className="label">{type === 'CLICK' ? 'CLICKS' : type}</div>
          {counts === undefined ? (
            <Skeleton height={30} width="60%" className="value" />
          ) : (
            <div className={`value ${counts[type] === 0 ? 'blank' : ''}`}>{formatCount(counts[type])}</div>
          )}
        </div>
      ))}
    </div>
  );
}

/** Shown only when CPA revenue > 0 in some currency; one figure per currency. */
export function RevenueCard({ revenue, base }: { revenue: Money[]; base?: Summary['revenue_base'] }) {
  const positive = revenue.filter((m) => Number(m.amount) > 0);
  if (positive.length === 0) return null;
  return (
    <div className="revenue" data-testid="revenue">
      <span className="label">CPA REVENUE</span>
      {positive.map((m) => (
        <span key={m.currency} className="amount" data-currency={m.currency}>
          {formatDecimal(m.amount)}
          <small>{m.currency}</small>
        </span>
      ))}
      {base && base.missing.length === 0 && positive.length > 1 ? (
        <span className="muted">
          ≈ {formatDecimal(base.amount)} {base.currency} total
        </span>
      ) : null}
    </div>
  );
}

const RATE_LABELS: Record<keyof Rates, string> = {
  click_to_reg: 'Click → REG',
  reg_to_ftd: 'REG → FTD',
  reg_to_cpa: 'REG → CPA',
};

function RateCard({ name, rate }: { name: keyof Rates; rate: Rate | undefined }) {
  if (rate === undefined) {
    return (
      <div className="rate none" aria-busy="true">
        <div className="top">
          <span className="label">{RATE_LABELS[name]}</span>
        </div>
        <Skeleton height={26} width="40%" />
        <div className="bar" />
      </div>
    );
  }
  const tone = rate.colour ?? 'none';
  const width = rate.value === null ? 0 : Math.min(100, rate.value * 100);
  return (
    <div className={`rate ${tone}`} data-rate={name} data-colour={rate.colour ?? 'none'}>
      <div className="top">
        <span className="label">{RATE_LABELS[name]}</span>
        <span className="threshold">threshold {formatRate(rate.threshold, 0)}</span>
      </div>
      <div className="value">{formatRate(rate.value)}</div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${RATE_LABELS[name]} rate`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(width * 10) / 10}
      >
        <span style={{ width: `${width}%` }} />
        <i style={{ left: `${Math.min(100, rate.threshold * 100)}%` }} title="threshold" />
      </div>
    </div>
  );
}

export function RateCards({ rates }: { rates: Rates | undefined }) {
  return (
    <div className="rates" data-testid="rates">
      {(Object.keys(RATE_LABELS) as (keyof Rates)[]).map((name) => (
        <RateCard key={name} name={name} rate={rates?.[name]} />
      ))}
    </div>
  );
}
