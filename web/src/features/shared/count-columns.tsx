/**
 * Columns every breakdown table shares: one count per event type (headed in its type colour),
 * the three conversion rates ("—" when undefined) and revenue per currency.
 */
import { type ColumnHelper, createColumnHelper } from '@tanstack/react-table';
import type { Counts, Money, RateValues } from '../../api/types';
import { EVENT_TYPES, type EventType } from '../../lib/event-types';
import { formatCount, formatDecimal, formatRate } from '../../lib/format';

interface WithCounts {
  counts: Counts;
}
interface WithRates {
  rates: RateValues;
}

const RATE_HEADS: Record<keyof RateValues, string> = {
  click_to_reg: 'Click→REG',
  reg_to_ftd: 'REG→FTD',
  reg_to_cpa: 'REG→CPA',
};

/** CLICK REG FTD CPA REDEP DEP as right-aligned, type-coloured columns. `sortKey` = the type. */
export function countColumns<T extends WithCounts>(types: readonly EventType[] = EVENT_TYPES) {
  const col: ColumnHelper<T> = createColumnHelper<T>();
  return types.map((type) =>
    col.accessor((row) => row.counts[type], {
      id: type,
      header: () => <span className={`tc-${type}`}>{type === 'CLICK' ? 'Clicks' : type}</span>,
      cell: (c) => formatCount(c.getValue()),
      meta: { numeric: true, sortKey: type },
    }),
  );
}

export function rateColumns<T extends WithRates>() {
  const col: ColumnHelper<T> = createColumnHelper<T>();
  return (Object.keys(RATE_HEADS) as (keyof RateValues)[]).map((name) =>
    col.accessor((row) => row.rates[name], {
      id: name,
      header: RATE_HEADS[name],
      cell: (c) => formatRate(c.getValue()),
      meta: { numeric: true, sortKey: name },
      sortUndefined: 'last',
    }),
  );
}

export function RevenueCell({ revenue }: { revenue: Money[] }) {
  const positive = revenue.filter((m) => Number(m.amount) !== 0);
  if (positive.length === 0) return <span className="muted">—</span>;
  return (
    // One currency a line: three side by side were cut off in a table column.
    <span className="num">
      {positive.map((m) => (
        <span key={m.currency} className="revenue-line">
          {formatDecimal(m.amount)} <span className="muted">{m.currency}</span>
        </span>
      ))}
    </span>
  );
}
