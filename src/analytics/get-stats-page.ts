/**
 * The Stats page in one answer: the KPI summary for the period and filters, and one page of the
 * chosen breakdown with its total row count.
 */
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { listStatRows, type StatDimension, type StatSort } from './get-stats.js';
import { getSummary } from './get-summary.js';

export async function getStats(
  db: Db,
  range: { from: number; to: number },
  filters: Filters,
  settings: AnalyticsSettings,
  q: {
    dimension: StatDimension;
    search?: string | undefined;
    sort: StatSort;
    order: 'asc' | 'desc';
    page: number;
    page_size: number;
  },
) {
  const [summary, rows] = await Promise.all([
    getSummary(db, range, filters, settings),
    listStatRows(db, {
      ...range,
      dimension: q.dimension,
      filters,
      search: q.search?.trim() || null,
      sort: q.sort,
      order: q.order,
    }),
  ]);
  const start = (q.page - 1) * q.page_size;
  return {
    dimension: q.dimension,
    summary,
    total_rows: rows.length,
    page: q.page,
    page_size: q.page_size,
    rows: rows.slice(start, start + q.page_size),
  };
}
