/** Stats' URL: dimension, its text filter, brand/source/test, sort and page (period: top bar). */
import { z } from 'zod';
import { enumParam, pageParam, slugParam, textParam } from '../../lib/url-state';
import { METRIC_TEST_MODES } from '../shared/test-select';

export const DIMENSIONS = ['source', 'tag', 'sender', 'geo', 'sheet'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  source: 'By Source',
  tag: 'By Tag',
  sender: 'By Sender',
  geo: 'By Geo',
  sheet: 'By Sheet',
};

/** The dimensions whose rows can be narrowed with a text filter. */
export const SEARCHABLE: readonly Dimension[] = ['tag', 'sender', 'geo'];

export const STAT_SORTS = [
  'key',
  'events',
  'CLICK',
  'REG',
  'FTD',
  'DEP',
  'REDEP',
  'CPA',
  'click_to_reg',
  'reg_to_ftd',
  'reg_to_cpa',
] as const;

export const statsSearch = z.object({
  dimension: enumParam(DIMENSIONS, 'source'),
  search: textParam(200),
  brand: slugParam(),
  source: slugParam(),
  test: enumParam(METRIC_TEST_MODES, 'production'),
  sort: enumParam(STAT_SORTS, 'events'),
  order: enumParam(['asc', 'desc'] as const, 'desc'),
  page: pageParam(),
});
export type StatsSearch = z.output<typeof statsSearch>;
