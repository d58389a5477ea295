/** The Link Generator's URL: which source, brand and event types the URLs are for. */
import { z } from 'zod';
import { EVENT_TYPES } from '../../lib/event-types';
import { listParam, slugParam } from '../../lib/url-state';

export const linksSearch = z.object({
  source: slugParam(),
  brand: slugParam(),
  /** Empty: the platform's own postback types. */
  types: listParam(EVENT_TYPES),
});
export type LinksSearch = z.output<typeof linksSearch>;

/** What the server accepts as a brand (src/routes/admin/links.ts). */
export const BRAND_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
