/**
 * Splits a range [from, to) into the coarsest rollup buckets that cover it exactly: whole months
 * (rollup_daily / rollup_dim grain 'm'), whole days (grain 'd') and, at edges that are not
 * day-aligned, hours (rollup_hourly). So YTD reads a few month rows plus the days of the current
 * month instead of every day. Pure.
 */
import { addMonths, DAY_MS, startOfDay } from './periods.js';

export interface Slices {
  hours: Array<[number, number]>;
  days: Array<[number, number]>;
  months: number[];
}

export function sliceRange(from: number, to: number, useMonths: boolean): Slices {
  const out: Slices = { hours: [], days: [], months: [] };
  if (to <= from) return out;
  const dayFrom = startOfDay(from) === from ? from : startOfDay(from) + DAY_MS;
  const dayTo = startOfDay(to);
  if (dayFrom >= dayTo) {
    out.hours.push([from, to]);
    return out;
  }
  if (from < dayFrom) out.hours.push([from, dayFrom]);
  if (dayTo < to) out.hours.push([dayTo, to]);
  if (!useMonths) {
    out.days.push([dayFrom, dayTo]);
    return out;
  }
  const monthOf = (t: number) => addMonths(t, 0);
  let m = monthOf(dayFrom) === dayFrom ? dayFrom : addMonths(dayFrom, 1);
  const firstMonth = m;
  while (addMonths(m, 1) <= dayTo) {
    out.months.push(m);
    m = addMonths(m, 1);
  }
  if (out.months.length === 0) {
    out.days.push([dayFrom, dayTo]);
    return out;
  }
  if (dayFrom < firstMonth) out.days.push([dayFrom, firstMonth]);
  if (m < dayTo) out.days.push([m, dayTo]);
  return out;
}

/** True when both ends fall on UTC midnight (what the per-dimension rollups can serve). */
export function isDayAligned(from: number, to: number): boolean {
  return startOfDay(from) === from && startOfDay(to) === to;
}
