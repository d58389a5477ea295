/**
 * The export routes: parse, resolve, then stream the file (CSV or XLSX) through a PassThrough that
 * fastify sends while rows are still being read, so memory stays flat however large the set. The
 * row limit is the `exports.row_limit` setting (an explicit smaller `limit` is honoured).
 */
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tagValuesMatching } from '../../analytics/event-filter.js';
import { EVENT_EXPORT_HEADER, exportEventRows } from '../../analytics/export-events.js';
import { getSettings } from '../../analytics/get-settings.js';
import { listStatRows } from '../../analytics/get-stats.js';
import { listDeals } from '../../analytics/list-deals.js';
import { type Cell, type ExportFormat, writeExport } from '../../analytics/write-export.js';
import type { AppContext } from '../../context.js';
import * as c from '../../contracts/analytics.js';
import { AppError } from '../../errors.js';
import { parseWith } from './parse.js';
import { eventFilterOf, periodOf, readFilters } from './request-context.js';

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

function send(
  reply: FastifyReply,
  name: string,
  format: ExportFormat,
  header: string[],
  chunks: AsyncIterable<Cell[][]>,
) {
  const stream = new PassThrough();
  reply
    .header('content-type', TYPES[format])
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .header('cache-control', 'no-store');
  writeExport(stream, format, header, chunks).catch((error: unknown) => {
    reply.log.error({ err: error }, 'export failed');
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return reply.send(stream);
}

/** A small table already in memory, as the one chunk writeExport reads. */
async function* oneChunk(rows: Cell[][]): AsyncGenerator<Cell[][]> {
  yield rows;
}

function validTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw new AppError('bad_request', 'tz must be an IANA time zone like Europe/Madrid', { field: 'tz' });
  }
}

export async function exportEvents(ctx: AppContext, request: FastifyRequest, reply: FastifyReply) {
  const q = parseWith(c.eventsExportQuery, request.query);
  const tz = validTimeZone(q.tz);
  const filter = await eventFilterOf(ctx, q);
  // The export reads every matching row: with few matching tags, by the list of them.
  if (filter.tag !== null) filter.tagValues = await tagValuesMatching(ctx.db, filter.tag);
  const settings = await getSettings(ctx.db.kysely);
  const limit = Math.min(q.limit ?? settings.exportRowLimit, settings.exportRowLimit);
  reply.header('x-row-limit', String(limit));
  return send(reply, 'events', q.format, EVENT_EXPORT_HEADER, exportEventRows(ctx.db, filter, limit, tz));
}

export async function exportStats(ctx: AppContext, request: FastifyRequest, reply: FastifyReply) {
  const q = parseWith(c.statsExportQuery, request.query);
  const period = periodOf(q, 'this_week');
  const filters = await readFilters(ctx, q);
  const rows = await listStatRows(ctx.db, {
    ...period,
    dimension: q.dimension,
    filters,
    search: q.search?.trim() || null,
    sort: q.sort,
    order: q.order,
  });
  // The table's columns in the table's order, with the key the API filters on beside the label
  // the page shows (a source's slug and name); rates stay fractions (0.25 = 25 %).
  const header = [
    q.dimension,
    'label',
    'events',
    'CLICK',
    'REG',
    'FTD',
    'CPA',
    'REDEP',
    'DEP',
    'click_to_reg',
    'reg_to_ftd',
    'reg_to_cpa',
  ];
  const cells = rows.map((r): Cell[] => [
    r.key,
    r.label,
    r.events,
    r.counts.CLICK,
    r.counts.REG,
    r.counts.FTD,
    r.counts.CPA,
    r.counts.REDEP,
    r.counts.DEP,
    r.rates.click_to_reg,
    r.rates.reg_to_ftd,
    r.rates.reg_to_cpa,
  ]);
  return send(reply, `stats-${q.dimension}`, q.format, header, oneChunk(cells));
}

export async function exportDeals(ctx: AppContext, request: FastifyRequest, reply: FastifyReply) {
  const q = parseWith(c.dealsExportQuery, request.query);
  const period = periodOf(q, 'this_month');
  const [filters, settings] = await Promise.all([readFilters(ctx, q), getSettings(ctx.db.kysely)]);
  const rows = await listDeals(ctx.db, period, filters, settings, {
    problemsOnly: q.problems_only,
    sort: q.sort,
    order: q.order,
  });
  const header = [
    'brand',
    'source',
    'reg',
    'ftd',
    'conversion',
    'suspicious',
    'failed_notifs',
    'orphan_ftds',
    'rejected',
  ];
  const cells = rows.map((r): Cell[] => [
    r.brand,
    r.source,
    r.reg,
    r.ftd,
    r.conversion,
    r.suspicious,
    r.failed_notifs,
    r.orphan_ftds,
    r.rejected,
  ]);
  return send(reply, 'deals', q.format, header, oneChunk(cells));
}
