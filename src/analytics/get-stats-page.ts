/**
 * The Stats page in one answer: the KPI summary for the period and filters, and one page of the
 * chosen breakdown with its total row count. With a text search (tag, sender, geo) the summary
 * is of the rows it matched, so the cards and rates describe what the table lists.
 */
import type { Db } from '../db/connect.js';
import type { Filters } from './filters.js';
import type { AnalyticsSettings } from './get-settings.js';
import { readStatRows, type StatDimension, type StatSort } from './get-stats.js';
import { getSummary, summaryOf } from './get-summary.js';

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
  const search = q.search?.trim() || null;
  const [all, { rows, totals }] = await Promise.all([
    search === null ? getSummary(db, range, filters, settings) : null,
    readStatRows(db, { ...range, dimension: q.dimension, filters, search, sort: q.sort, order: q.order }),
  ]);
  const start = (q.page - 1) * q.page_size;
  return {
    dimension: q.dimension,
    summary: all ?? summaryOf(totals, settings),
    summary_search: search,
    total_rows: rows.length,
    page: q.page,
    page_size: q.page_size,
    rows: rows.slice(start, start + q.page_size),
  };
}
