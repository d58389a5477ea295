/**
 * The read routes' handlers: each parses its contract, resolves the period and filters, calls one
 * analytics function and returns the body. Listed in one table so the OpenAPI document is built
 * from the very schemas the routes validate with.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { getAffiliate } from '../../analytics/get-affiliate.js';
import { getBrand } from '../../analytics/get-brand.js';
import { getCompare } from '../../analytics/get-compare.js';
import { getDeal } from '../../analytics/get-deal.js';
import { getEvent } from '../../analytics/get-event.js';
import { getSettings } from '../../analytics/get-settings.js';
import { getSourceHealth } from '../../analytics/get-source-health.js';
import { getStats } from '../../analytics/get-stats-page.js';
import { getSummary } from '../../analytics/get-summary.js';
import { getTimeseries } from '../../analytics/get-timeseries.js';
import { listAffiliates } from '../../analytics/list-affiliates.js';
import { listBrands } from '../../analytics/list-brands.js';
import { listBrokenTags } from '../../analytics/list-broken-tags.js';
import { countUnattributedRejections, listDeals } from '../../analytics/list-deals.js';
import { listEvents } from '../../analytics/list-events.js';
import { listRecentEvents } from '../../analytics/list-recent-events.js';
import { listRejections } from '../../analytics/list-rejections.js';
import { listSources } from '../../analytics/list-sources.js';
import { analyticsClock, DAY_MS, resolveComparison, startOfDay } from '../../analytics/periods.js';
import type { AppContext } from '../../context.js';
import * as c from '../../contracts/analytics.js';
import { AppError } from '../../errors.js';
import { exportDeals, exportEvents, exportStats } from './exports.js';
import { parseWith } from './parse.js';
import { eventFilterOf, periodOf, periodOut, readFilters } from './request-context.js';

export interface ReadRoute {
  url: string;
  summary: string;
  query?: z.ZodType;
  params?: z.ZodType;
  /** A JSON body schema, or the media types of a streamed file. */
  response: z.ZodType | { files: string[] };
  handle(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

const q = <S extends z.ZodType>(schema: S, r: FastifyRequest) => parseWith(schema, r.query);
const p = <S extends z.ZodType>(schema: S, r: FastifyRequest) => parseWith(schema, r.params);

export const READ_ROUTES: ReadRoute[] = [
  {
    url: '/api/v1/summary',
    summary: 'KPI cards: counts per type, CPA revenue per currency, conversion rates',
    query: c.aggregateQuery,
    response: c.summaryResponse,
    async handle(ctx, r) {
      const query = q(c.aggregateQuery, r);
      const period = periodOf(query);
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return { period: periodOut(period), ...(await getSummary(ctx.db, period, filters, settings)) };
    },
  },
  {
    url: '/api/v1/timeseries',
    summary: 'Counts per type per hour (Today, Yesterday, ranges up to 2 days) or per day, zero-filled',
    query: c.timeseriesQuery,
    response: c.timeseriesResponse,
    async handle(ctx, r) {
      const query = q(c.timeseriesQuery, r);
      const period = periodOf(query);
      const granularity = query.granularity ?? period.granularity;
      if (granularity === 'hour' && period.to - period.from > 93 * DAY_MS)
        throw new AppError('bad_request', 'hourly buckets cover at most 93 days', { field: 'granularity' });
      const filters = await readFilters(ctx, query);
      return {
        period: periodOut(period),
        granularity,
        points: await getTimeseries(ctx.db, period, granularity, filters),
      };
    },
  },
  {
    url: '/api/v1/events',
    summary: 'The event log, newest first, paged (50 a page) with total and page window',
    query: c.eventsQuery,
    response: c.eventsResponse,
    async handle(ctx, r) {
      const query = q(c.eventsQuery, r);
      return listEvents(ctx.db, await eventFilterOf(ctx, query), query.page, query.page_size);
    },
  },
  {
    url: '/api/v1/events/recent',
    summary: 'The last events across all brands or the given brands and sources (default 15), newest first',
    query: c.recentQuery,
    response: c.recentResponse,
    async handle(ctx, r) {
      const query = q(c.recentQuery, r);
      const now = analyticsClock.now();
      const { brandIds, sourceIds } = await readFilters(ctx, { brand: query.brand, source: query.source });
      const f = {
        from: startOfDay(now) - 365 * DAY_MS,
        to: startOfDay(now) + 2 * DAY_MS,
        brandIds,
        sourceIds,
        types: null,
        testFlags: query.test === 'production' ? [0] : query.test === 'test' ? [1] : [0, 1],
        tag: null,
      };
      return { rows: await listRecentEvents(ctx.db, f, query.limit) };
    },
  },
  {
    url: '/api/v1/events/export',
    summary: 'The filtered event log as CSV or XLSX, streamed (row limit: setting exports.row_limit)',
    query: c.eventsExportQuery,
    response: { files: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
    handle: exportEvents,
  },
  {
    url: '/api/v1/events/:id',
    summary: 'One event with every raw field',
    params: c.eventIdParams,
    response: c.eventDetailResponse,
    async handle(ctx, r) {
      return getEvent(ctx.db, p(c.eventIdParams, r).id);
    },
  },
  {
    url: '/api/v1/stats',
    summary: 'Breakdown by source, tag, sender, geo or sheet: counts and rates per row, sorted and paged',
    query: c.statsQuery,
    response: c.statsResponse,
    async handle(ctx, r) {
      const query = q(c.statsQuery, r);
      const period = periodOf(query, 'this_week');
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return { period: periodOut(period), ...(await getStats(ctx.db, period, filters, settings, query)) };
    },
  },
  {
    url: '/api/v1/stats/export',
    summary: 'The whole stats breakdown as CSV or XLSX',
    query: c.statsExportQuery,
    response: { files: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
    handle: exportStats,
  },
  {
    url: '/api/v1/compare',
    summary:
      'Period over period: counts, revenue and rates, current vs previous (like for like for week/month)',
    query: c.compareQuery,
    response: c.compareResponse,
    async handle(ctx, r) {
      const query = q(c.compareQuery, r);
      const cmp = resolveComparison(
        query.mode,
        { from: query.from, to: query.to, compareFrom: query.compare_from, compareTo: query.compare_to },
        analyticsClock.now(),
      );
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return getCompare(ctx.db, cmp, filters, settings);
    },
  },
  {
    url: '/api/v1/brands',
    summary: 'Brands with events, last event and source chips in the period; search and sort',
    query: c.brandsQuery,
    response: c.brandsResponse,
    async handle(ctx, r) {
      const query = q(c.brandsQuery, r);
      const period = periodOf(query, 'this_month');
      const filters = await readFilters(ctx, query);
      const order = query.order ?? (query.sort === 'name' ? 'asc' : 'desc');
      return {
        period: periodOut(period),
        rows: await listBrands(ctx.db, period, filters, {
          search: query.search ?? null,
          sort: query.sort,
          order,
        }),
      };
    },
  },
  {
    url: '/api/v1/brands/:slug',
    summary: 'One brand: KPIs, series, sources, affiliates, recent events',
    query: c.aggregateQuery,
    params: c.slugParams,
    response: c.brandResponse,
    async handle(ctx, r) {
      const query = q(c.aggregateQuery, r);
      const period = periodOf(query, 'this_month');
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return {
        period: periodOut(period),
        ...(await getBrand(ctx.db, p(c.slugParams, r).slug, period, filters, settings)),
      };
    },
  },
  {
    url: '/api/v1/sources',
    summary: 'One card per source: status, counts, revenue, rates, last event, trend',
    query: c.aggregateQuery,
    response: c.sourcesResponse,
    async handle(ctx, r) {
      const query = q(c.aggregateQuery, r);
      const period = periodOf(query, 'this_week');
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return {
        period: periodOut(period),
        rows: await listSources(ctx.db, period, period.granularity, filters, settings, analyticsClock.now()),
      };
    },
  },
  {
    url: '/api/v1/affiliates',
    summary: 'One row per affiliate: every count, revenue and rate; search',
    query: c.affiliatesQuery,
    response: c.affiliatesResponse,
    async handle(ctx, r) {
      const query = q(c.affiliatesQuery, r);
      const period = periodOf(query, 'this_week');
      const filters = await readFilters(ctx, query);
      return {
        period: periodOut(period),
        rows: await listAffiliates(ctx.db, period, filters, query.search ?? null),
      };
    },
  },
  {
    url: '/api/v1/affiliates/:id',
    summary: 'One affiliate by brand, by sub-ID and by tag',
    query: c.aggregateQuery,
    params: c.affiliateParams,
    response: c.affiliateResponse,
    async handle(ctx, r) {
      const query = q(c.aggregateQuery, r);
      const period = periodOf(query, 'this_week');
      const filters = await readFilters(ctx, query);
      return {
        period: periodOut(period),
        ...(await getAffiliate(ctx.db, p(c.affiliateParams, r).id, period, filters)),
      };
    },
  },
  {
    url: '/api/v1/deals',
    summary:
      'Deal audit per brand × source: REG, FTD, conversion, suspicious, failed notifs, orphan FTDs, rejected',
    query: c.dealsQuery,
    response: c.dealsResponse,
    async handle(ctx, r) {
      const query = q(c.dealsQuery, r);
      const period = periodOf(query, 'this_month');
      const [filters, settings] = await Promise.all([readFilters(ctx, query), getSettings(ctx.db.kysely)]);
      return {
        period: periodOut(period),
        suspicious_ratio: settings.suspiciousRatio,
        suspicious_min_reg: settings.suspiciousMinReg,
        rows: await listDeals(ctx.db, period, filters, settings, {
          problemsOnly: query.problems_only,
          sort: query.sort,
          order: query.order,
        }),
        unattributed_rejections: await countUnattributedRejections(ctx.db, period, filters),
      };
    },
  },
  {
    url: '/api/v1/deals/export',
    summary: 'The deal audit as CSV or XLSX',
    query: c.dealsExportQuery,
    response: { files: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
    handle: exportDeals,
  },
  {
    url: '/api/v1/deals/:brand/:source',
    summary: 'The offending events of one deal: orphan FTDs and rejected postbacks',
    query: c.aggregateQuery,
    params: c.dealParams,
    response: c.dealResponse,
    async handle(ctx, r) {
      const query = q(c.aggregateQuery, r);
      const params = p(c.dealParams, r);
      const period = periodOf(query, 'this_month');
      const filters = await readFilters(ctx, query);
      return {
        period: periodOut(period),
        ...(await getDeal(ctx.db, params.brand, params.source, period, filters.testFlags)),
      };
    },
  },
  {
    url: '/api/v1/broken-tags',
    summary: 'Broken tracking tags grouped by brand × affiliate × sub-ID × macro, with summary cards',
    query: c.brokenTagsQuery,
    response: c.brokenTagsResponse,
    async handle(ctx, r) {
      const query = q(c.brokenTagsQuery, r);
      const period = periodOf(query, 'this_month');
      const filters = await readFilters(ctx, query);
      return {
        period: periodOut(period),
        ...(await listBrokenTags(ctx.db, period, filters, {
          macro: query.macro ?? null,
          search: query.search ?? null,
        })),
      };
    },
  },
  {
    url: '/api/v1/source-health',
    summary: 'Per source: events today, lag in minutes, status from its lag thresholds',
    response: c.sourceHealthResponse,
    async handle(ctx) {
      return { rows: await getSourceHealth(ctx.db, analyticsClock.now()) };
    },
  },
  {
    url: '/api/v1/rejections',
    summary: 'Stored rejected postbacks with their reasons, newest first (keyset paged)',
    query: c.rejectionsQuery,
    response: c.rejectionsResponse,
    async handle(ctx, r) {
      const query = q(c.rejectionsQuery, r);
      const period = periodOf(query, 'this_month');
      const [at, id] = (query.before ?? '').split('_').map(Number);
      return listRejections(ctx.db, period, {
        sourceSlugs: query.source ?? null,
        brandSlugs: query.brand ?? null,
        code: query.code ?? null,
        limit: query.limit,
        before: query.before && at !== undefined && id !== undefined ? { at, id } : null,
      });
    },
  },
];
