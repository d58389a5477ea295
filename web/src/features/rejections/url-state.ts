/**
 * The rejections page's URL: source, brand and reason filters (the period is the selector's `period` or
 * `from`/`to`). Paging is a keyset cursor held by the list itself, reset whenever a filter changes.
 */
import { z } from 'zod';
import type { PeriodConfig } from '../../lib/periods';
import { PRESETS } from '../../lib/periods';
import { slugParam } from '../../lib/url-state';
import { REASON_CODES } from './reasons';

/** Every preset, This Month by default (the API's own default for rejections). */
export const REJECTION_PERIODS: PeriodConfig = { presets: PRESETS, fallback: 'this_month' };

export const rejectionsSearch = z.object({
  source: slugParam(),
  brand: slugParam(),
  code: z.enum(REASON_CODES).optional().catch(undefined),
});
export type RejectionsSearch = z.output<typeof rejectionsSearch>;

export const CLEARED = { source: undefined, brand: undefined, code: undefined } as const;
