/**
 * Contracts of the read API under /api/v1: one zod schema per route's query and response, shared
 * by the server (validation), the web client (types) and the OpenAPI document. Shapes only; no
 * I/O and no business rules beyond the limits a parameter may take.
 */
import { z } from 'zod';
import { PRESETS } from '../analytics/periods.js';

export const MAX_SEARCH = 200;
export const MAX_PAGE = 1_000_000;

/** `brand=a,b` or `brand=a&brand=b`, lower-cased slugs, at most 100. */
const slugList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  )
  .pipe(z.array(z.string().max(64)).max(100));

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const search = text(MAX_SEARCH).optional();
const order = z.enum(['asc', 'desc']);

export const periodQuery = z.object({
  period: z.enum(PRESETS).optional(),
  from: text(32).optional(),
  to: text(32).optional(),
});

export const filterQuery = z.object({
  brand: slugList.optional(),
  source: slugList.optional(),
  affiliate: text(128).optional(),
  test: z.enum(['production', 'test', 'all']).default('production'),
});

export const aggregateQuery = periodQuery.extend(filterQuery.shape);
export type AggregateQuery = z.infer<typeof aggregateQuery>;

export const timeseriesQuery = aggregateQuery.extend({
  granularity: z.enum(['hour', 'day']).optional(),
});

export const EVENT_TYPE_VALUES = ['CLICK', 'REG', 'FTD', 'DEP', 'REDEP', 'CPA'] as const;

export const eventsQuery = z.object({
  brand: slugList.optional(),
  type: z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(z.enum(EVENT_TYPE_VALUES)).max(6))
    .optional(),
  /** A preset span instead of from/to (the other read routes take it too). */
  period: z.enum(PRESETS).optional(),
  from: text(40).optional(),
  to: text(40).optional(),
  test: z.enum(['production', 'test', 'all']).default('all'),
  source: text(64).optional(),
  tag: search,
  page: z.coerce.number().int().min(1, 'pages start at 1').max(MAX_PAGE).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
export type EventsQuery = z.infer<typeof eventsQuery>;

export const eventsExportQuery = eventsQuery.omit({ page: true, page_size: true }).extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  tz: text(64).default('UTC'),
  limit: z.coerce.number().int().min(1).optional(),
});

export const recentQuery = z.object({
  brand: slugList.optional(),
  source: slugList.optional(),
  test: z.enum(['production', 'test', 'all']).default('all'),
  limit: z.coerce.number().int().min(1).max(100).default(15),
});

export const eventIdParams = z.object({ id: z.coerce.number().int().min(1) });

export const statsQuery = aggregateQuery.extend({
  dimension: z.enum(['source', 'tag', 'sender', 'geo', 'sheet']).default('source'),
  search,
  sort: z
    .enum([
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
    ])
    .default('events'),
  order: order.default('desc'),
  page: z.coerce.number().int().min(1, 'pages start at 1').max(MAX_PAGE).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});

export const statsExportQuery = statsQuery.omit({ page: true, page_size: true }).extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
});

export const compareQuery = filterQuery.extend({
  mode: z.enum(['day', 'week', 'month', 'last_month', 'custom']).default('day'),
  from: text(32).optional(),
  to: text(32).optional(),
  compare_from: text(32).optional(),
  compare_to: text(32).optional(),
});

export const brandsQuery = aggregateQuery.extend({
  search,
  sort: z.enum(['name', 'events', 'last_event']).default('events'),
  order: order.optional(),
});
export const slugParams = z.object({ slug: text(64) });

export const affiliatesQuery = aggregateQuery.extend({ search });
export const affiliateParams = z.object({ id: text(128) });

export const dealsQuery = aggregateQuery.extend({
  problems_only: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  sort: z
    .enum(['brand', 'source', 'reg', 'ftd', 'conversion', 'failed_notifs', 'orphan_ftds', 'rejected'])
    .default('brand'),
  order: order.default('asc'),
});
export const dealsExportQuery = dealsQuery.extend({ format: z.enum(['csv', 'xlsx']).default('csv') });
export const dealParams = z.object({ brand: text(64), source: text(64) });

export const brokenTagsQuery = aggregateQuery.extend({ macro: text(64).optional(), search });

export const rejectionsQuery = periodQuery.extend({
  source: slugList.optional(),
  /** The brand slug the postback named (as sent, in any case). */
  brand: slugList.optional(),
  code: text(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z
    .string()
    .regex(/^\d{1,15}_\d{1,15}$/, 'must be the `next` value of a previous page')
    .optional(),
});

// ---- responses ---------------------------------------------------------------------------------

const iso = z.string().describe('ISO 8601, UTC');
const counts = z.object({
  CLICK: z.number().int(),
  REG: z.number().int(),
  FTD: z.number().int(),
  DEP: z.number().int(),
  REDEP: z.number().int(),
  CPA: z.number().int(),
});
const money = z.object({ currency: z.string(), amount: z.string().describe('exact decimal') });
const rate = z.object({
  value: z.number().nullable().describe('null when the denominator is 0'),
  threshold: z.number(),
  colour: z.enum(['green', 'red']).nullable(),
});
const rates = z.object({ click_to_reg: rate, reg_to_ftd: rate, reg_to_cpa: rate });
const rateValues = z.object({
  click_to_reg: z.number().nullable(),
  reg_to_ftd: z.number().nullable(),
  reg_to_cpa: z.number().nullable(),
});
const periodOut = z.object({
  preset: z.string(),
  from: iso,
  to: iso.describe('exclusive'),
  granularity: z.enum(['hour', 'day']),
});

export const summaryResponse = z.object({
  period: periodOut,
  counts,
  revenue: z.array(money),
  revenue_base: z
    .object({ currency: z.string(), amount: z.string(), missing: z.array(z.string()) })
    .nullable(),
  rates,
});

export const timeseriesResponse = z.object({
  period: periodOut,
  granularity: z.enum(['hour', 'day']),
  points: z.array(z.object({ t: iso, counts })),
});

export const eventItem = z.object({
  id: z.number().int(),
  time: iso,
  received_at: iso,
  type: z.string(),
  brand: z.string(),
  source: z.string(),
  source_name: z.string(),
  affiliate_id: z.string().nullable(),
  sub_id: z.string().nullable(),
  tracking_tag: z.string().nullable(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  country: z.string().nullable(),
  is_test: z.boolean(),
  broken_macro: z.string().nullable(),
});

export const eventsResponse = z.object({
  page: z.number().int(),
  page_size: z.number().int(),
  total: z.number().int(),
  total_exact: z.boolean(),
  pages: z.number().int(),
  window: z.array(z.number().int()),
  rows: z.array(eventItem),
});

export const eventDetailResponse = eventItem.extend({
  raw_event: z.string(),
  external_uid: z.string().nullable(),
  transaction_id: z.string().nullable(),
  traffic_source: z.string().nullable(),
  sender: z.string().nullable(),
  sheet: z.string().nullable(),
  broken_fields: z.array(z.string()),
  raw_query: z.string(),
  raw_body: z.string().nullable(),
  ip: z.string().nullable(),
});

export const recentResponse = z.object({ rows: z.array(eventItem) });

const statRow = z.object({
  key: z.string(),
  label: z.string(),
  events: z.number().int(),
  counts,
  rates: rateValues,
});
export const statsResponse = z.object({
  period: periodOut,
  dimension: z.string(),
  summary: summaryResponse.omit({ period: true }),
  /** The text search the summary is narrowed to (the rows it matched), or null for all of them. */
  summary_search: z.string().nullable(),
  total_rows: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
  rows: z.array(statRow),
});

const pct = z.union([z.number(), z.literal('new'), z.null()]);
export const compareResponse = z.object({
  mode: z.string(),
  like_for_like: z.boolean(),
  current: z.object({ from: iso, to: iso }),
  previous: z.object({ from: iso, to: iso }),
  metrics: z.array(
    z.object({
      metric: z.string(),
      current: z.number(),
      previous: z.number(),
      change: z.number(),
      change_pct: pct,
    }),
  ),
  revenue: z.array(
    z.object({
      currency: z.string(),
      current: z.string(),
      previous: z.string(),
      change: z.string(),
      change_pct: pct,
    }),
  ),
  rates: z.array(
    z.object({
      rate: z.string(),
      current: z.number().nullable(),
      previous: z.number().nullable(),
      change_pp: z.number().nullable(),
      threshold: z.number(),
    }),
  ),
});

export const brandsResponse = z.object({
  period: periodOut,
  rows: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      events: z.number().int(),
      last_event_at: iso.nullable(),
      sources: z.array(z.string()),
    }),
  ),
});

const breakdownRow = z.object({
  key: z.string(),
  events: z.number().int(),
  counts,
  revenue: z.array(money),
  rates: rateValues,
});

export const brandResponse = z.object({
  period: periodOut,
  brand: z.object({ slug: z.string(), name: z.string() }),
  summary: summaryResponse.omit({ period: true }),
  series: z.array(z.object({ t: iso, counts })),
  sources: z.array(breakdownRow),
  affiliates: z.array(breakdownRow),
  recent: z.array(eventItem),
});

export const sourcesResponse = z.object({
  period: periodOut,
  rows: z.array(
    z.object({
      source: z.string(),
      name: z.string(),
      status: z.enum(['healthy', 'warning', 'error', 'unknown']),
      lag_minutes: z.number().int().nullable(),
      events: z.number().int(),
      counts,
      revenue: z.array(money),
      rates,
      last_event_at: iso.nullable(),
      trend: z.array(z.object({ t: iso, events: z.number().int() })),
    }),
  ),
});

export const affiliatesResponse = z.object({
  period: periodOut,
  rows: z.array(
    z.object({
      affiliate_id: z.string(),
      unresolved_macro: z.string().nullable(),
      events: z.number().int(),
      counts,
      revenue: z.array(money),
      rates: rateValues,
    }),
  ),
});

export const affiliateResponse = z.object({
  period: periodOut,
  affiliate_id: z.string(),
  events: z.number().int(),
  counts,
  revenue: z.array(money),
  rates: rateValues,
  by_brand: z.array(breakdownRow),
  by_sub_id: z.array(breakdownRow),
  by_tag: z.array(breakdownRow),
});

export const dealRow = z.object({
  brand: z.string(),
  source: z.string(),
  reg: z.number().int(),
  ftd: z.number().int(),
  conversion: z.number().nullable(),
  suspicious: z.boolean(),
  failed_notifs: z.number().int(),
  orphan_ftds: z.number().int(),
  rejected: z.number().int(),
  problems: z.boolean(),
});
export const dealsResponse = z.object({
  period: periodOut,
  suspicious_ratio: z.number(),
  suspicious_min_reg: z.number().int(),
  rows: z.array(dealRow),
  /** Rejections in the period no row can show (unknown source, no brand, a brand never accepted). */
  unattributed_rejections: z.number().int(),
});

const rejectionItem = z.object({
  id: z.number().int(),
  first_seen_at: iso,
  last_seen_at: iso,
  attempts: z.number().int(),
  code: z.string(),
  reason: z.string(),
  field: z.string().nullable(),
  method: z.string(),
  raw_query: z.string(),
});
export const dealResponse = z.object({
  period: periodOut,
  brand: z.string(),
  source: z.string(),
  orphan_ftds: z.array(eventItem),
  rejections: z.array(rejectionItem),
  failed_notifications: z.array(
    z.object({
      id: z.number().int(),
      event_id: z.number().int(),
      type: z.string(),
      occurred_at: iso,
      bot: z.string(),
      attempts: z.number().int(),
      failed_at: iso.nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const brokenTagsResponse = z.object({
  period: periodOut,
  summary: z.object({
    broken_events: z.number().int(),
    grouped_rows: z.number().int(),
    affected_brands: z.number().int(),
    affected_affiliates: z.number().int(),
  }),
  rows: z.array(
    z.object({
      brand: z.string(),
      source: z.string(),
      affiliate_id: z.string(),
      sub_id: z.string(),
      macro: z.string(),
      events: z.number().int(),
      clicks: z.number().int(),
      regs: z.number().int(),
      ftds: z.number().int(),
      sample_tag: z.string(),
      first_seen: iso,
      last_seen: iso,
    }),
  ),
});

export const sourceHealthResponse = z.object({
  rows: z.array(
    z.object({
      source: z.string(),
      name: z.string(),
      is_active: z.boolean(),
      events_today: z.number().int(),
      last_event_at: iso.nullable(),
      lag_minutes: z.number().int().nullable(),
      status: z.enum(['healthy', 'warning', 'error', 'unknown']),
    }),
  ),
});

export const rejectionsResponse = z.object({
  rows: z.array(
    rejectionItem.extend({
      source: z.string(),
      brand: z.string().nullable(),
      raw_body: z.string().nullable(),
      ip: z.string().nullable(),
      user_agent: z.string().nullable(),
      reprocessable: z.boolean(),
    }),
  ),
  next: z.string().nullable(),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
