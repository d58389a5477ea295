/**
 * The activity area chart: one area per event type in the type palette, hover tooltip with exact
 * values. Renders only what it is given (points from /timeseries or a page's series); never fetches.
 */
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Counts } from '../api/types';
import { type EventType, TYPE_COLOURS } from '../lib/event-types';
import { formatCount } from '../lib/format';

export interface SeriesInput {
  t: string;
  counts: Counts;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Hour buckets in local time ("14:00"), day buckets as their UTC date ("Nov 26"). */
export function bucketLabel(iso: string, granularity: 'hour' | 'day'): string {
  const d = new Date(iso);
  if (granularity === 'hour') return localHourMinute(d);
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** The local time of a UTC hour's start: "05:00", or "05:30" in a zone half an hour off UTC. */
function localHourMinute(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function bucketTitle(iso: string, granularity: 'hour' | 'day'): string {
  const d = new Date(iso);
  if (granularity === 'day')
    return d.toLocaleDateString('en-US', {
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      timeZone: 'UTC',
    });
  return `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${localHourMinute(d)} · ${iso.slice(11, 13)}:00 UTC`;
}

interface TooltipProps {
  active?: boolean;
  label?: string | number;
  payload?: readonly { dataKey?: unknown; value?: unknown }[];
}

export function ActivityChart({
  points,
  granularity,
  types = ['REG', 'FTD', 'CPA'],
  height = 300,
}: {
  points: SeriesInput[];
  granularity: 'hour' | 'day';
  types?: EventType[];
  height?: number;
}) {
  const data = points.map((p) => ({ t: p.t, ...p.counts }));
  const renderTooltip = ({ active, label, payload }: TooltipProps) => {
    if (!active || !payload || payload.length === 0 || typeof label !== 'string') return null;
    return (
      <div className="chart-tooltip">
        <div className="muted" style={{ marginBottom: 4 }}>
          {bucketTitle(label, granularity)}
        </div>
        {types.map((type) => {
          const item = payload.find((p) => p.dataKey === type);
          return (
            <div key={type} className="row">
              <span className={`tc-${type}`}>{type}</span>
              <span>{formatCount(typeof item?.value === 'number' ? item.value : 0)}</span>
            </div>
          );
        })}
      </div>
    );
  };
  return (
    <div className="chart-box" style={{ height }} data-testid="activity-chart" data-points={points.length}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <defs>
            {types.map((type) => (
              <linearGradient key={type} id={`fill-${type}`} x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor={TYPE_COLOURS[type]} stopOpacity={0.35} />
                <stop offset="100%" stopColor={TYPE_COLOURS[type]} stopOpacity={0.02} />
              </linearGradient>
            ))}
          </defs>
          <CartesianGrid stroke="#232b38" strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: string) => bucketLabel(t, granularity)}
            stroke="#6b778a"
            tick={{ fill: '#93a0b4', fontSize: 11 }}
            tickLine={false}
            minTickGap={24}
          />
          <YAxis
            allowDecimals={false}
            stroke="#6b778a"
            tick={{ fill: '#93a0b4', fontSize: 11 }}
            tickLine={false}
            axisLine={false}
            width={40}
          />
          <Tooltip content={renderTooltip} cursor={{ stroke: '#4b5566' }} />
          {types.map((type) => (
            <Area
              key={type}
              type="monotone"
              dataKey={type}
              name={type}
              stroke={TYPE_COLOURS[type]}
              strokeWidth={type === 'CPA' ? 2.2 : 1.6}
              fill={`url(#fill-${type})`}
              isAnimationActive={false}
            />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
