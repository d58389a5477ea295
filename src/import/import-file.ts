/**
 * Imports a CSV or XLSX file of events into a source, through the same pipeline as a postback
 * (channel `import`): the header row names the columns (canonical field names or any name the
 * source's template maps), every following row is one event. Rows are streamed and submitted in
 * concurrent chunks so the group-commit writer batches them. A bad row is counted and reported
 * with its line and reason and does not stop the others. `dryRun` runs parse, map and validate
 * only and stores nothing. Used by `affpanel import` and, later, the web UI.
 */
import { basename, extname } from 'node:path';
import type { AppContext } from '../context.js';
import { FIELD_MAX_LENGTH } from '../domain.js';
import { AppError } from '../errors.js';
import { KEY_PARAMS } from '../ingest/authenticate-source.js';
import { detectMacro } from '../ingest/detect-macros.js';
import type { Verdict } from '../ingest/ingestor.js';
import { parseTimestamp } from '../ingest/normalise/timestamp.js';
import type { RawPostback } from '../ingest/raw-postback.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import { openCsv } from './csv-rows.js';
import type { ImportErrorCode, RowReader, SheetRow } from './sheet-row.js';
import { openXlsx } from './xlsx-rows.js';

export type { ImportErrorCode } from './sheet-row.js';

export type ImportFormat = 'csv' | 'xlsx';

export interface ImportOptions {
  /** The source the events belong to (its template maps the column names). */
  sourceSlug: string;
  /** XLSX: the worksheet to read (default: the first). CSV: the sheet name (default: the file's base name). */
  sheet?: string;
  /** Parse and validate every row, store nothing. */
  dryRun?: boolean;
  /** The name the file had for the user (an upload kept under a temporary path): sets format and sheet. */
  fileName?: string;
  /** Rows submitted together (default 500, never more than the ingest queue holds). */
  chunkSize?: number;
  /** How many row errors the summary keeps, lowest lines first (default 50). */
  maxErrors?: number;
  /** Stops the import after the chunk in flight; the summary says so. */
  signal?: AbortSignal;
}

export interface ImportRowError {
  /** CSV: the file line the row starts on. XLSX: the sheet row number. */
  line: number;
  code: ImportErrorCode;
  reason: string;
}

export interface ImportProgress {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface ImportSummary extends ImportProgress {
  file: string;
  format: ImportFormat;
  /** The `sheet` given to every event whose row has no sheet column of its own. */
  sheet: string;
  source: string;
  dryRun: boolean;
  /** True when stopped early (by the signal); counts cover the rows read until then. */
  interrupted: boolean;
  /** The line (CSV) or sheet row (XLSX) of the last row read, 0 before the first. */
  lastLine: number;
  /** The first `maxErrors` row errors, by line. `rejected` counts them all. */
  errors: ImportRowError[];
  rejectedByCode: Partial<Record<ImportErrorCode, number>>;
  /** Header names the source maps to no field: their values are kept in the raw body only. */
  ignoredColumns: string[];
  /**
   * Accepted rows whose event time could not be read: the pipeline gave them the time of the
   * import instead (its rule for postbacks). Worth a look when importing history.
   */
  timeFallbacks: { rows: number; firstLine: number | null };
  seconds: number;
}

/** The import stopped part-way (storage failed): what was read and stored until then. */
export class ImportAbortedError extends AppError {
  constructor(
    message: string,
    readonly summary: ImportSummary,
    cause: unknown,
  ) {
    super('unavailable', message);
    this.name = 'ImportAbortedError';
    this.cause = cause;
  }
}

const DEFAULT_CHUNK = 500;
const DEFAULT_MAX_ERRORS = 50;

export function formatOf(fileName: string): ImportFormat {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new AppError(
    'bad_request',
    `cannot import "${basename(fileName)}": only .csv and .xlsx files are supported`,
    { field: 'file' },
  );
}

interface Column {
  index: number;
  name: string;
}

interface Header {
  columns: Column[];
  width: number;
  /** Columns the source reads the event time from, in its order of preference. */
  timeColumns: number[];
}

/** Every parameter name the source maps onto a field (lower case). */
function mappedNames(source: CompiledSource): Set<string> {
  const names = new Set<string>();
  for (const list of source.params.values()) for (const name of list) names.add(name);
  return names;
}

function readHeader(
  cells: string[],
  source: CompiledSource,
  at: string,
): { header: Header; ignored: string[] } {
  const columns: Column[] = [];
  const seen = new Map<string, string>();
  cells.forEach((cell, index) => {
    const name = cell.trim();
    if (name === '') return;
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new AppError(
        'unprocessable',
        `the header (${at}) names the column "${name}" twice ("${earlier}")`,
      );
    }
    seen.set(key, name);
    columns.push({ index, name });
  });

  const known = mappedNames(source);
  const has = (field: 'brand' | 'event' | 'status') =>
    (source.params.get(field) ?? [field]).some((name) => seen.has(name));
  const namesFor = (field: 'brand' | 'event') =>
    (source.params.get(field) ?? [field]).map((n) => `"${n}"`).join(', ');
  if (!has('brand')) {
    throw new AppError(
      'unprocessable',
      `no brand column in the header (${at}): it needs one of ${namesFor('brand')} (source "${source.slug}")`,
    );
  }
  if (!has('event') && !has('status')) {
    throw new AppError(
      'unprocessable',
      `no event type column in the header (${at}): it needs one of ${namesFor('event')} ` +
        `(source "${source.slug}")`,
    );
  }
  const keyNames: readonly string[] = KEY_PARAMS;
  const ignored = columns
    .map((c) => c.name)
    .filter((name) => !known.has(name.toLowerCase()) && !keyNames.includes(name.toLowerCase()));
  const timeNames = source.params.get('occurred_at') ?? ['occurred_at'];
  const timeColumns = timeNames.flatMap((name) =>
    columns.filter((c) => c.name.toLowerCase() === name).map((c) => c.index),
  );
  const width = columns.reduce((w, c) => Math.max(w, c.index + 1), 0);
  return { header: { columns, width, timeColumns }, ignored };
}

type Built =
  | { ok: true; line: number; body: string; unreadableTime: boolean }
  | { ok: false; error: ImportRowError };

/** True when the row gives an event time the pipeline will not read (and so replaces with now). */
function hasUnreadableTime(cells: string[], header: Header): boolean {
  const value = header.timeColumns.map((i) => (cells[i] ?? '').trim()).find((v) => v !== '');
  if (value === undefined || detectMacro(value) !== null) return false;
  return !parseTimestamp(value, new Date()).ok;
}

function buildRow(row: Extract<SheetRow, { kind: 'cells' }>, header: Header, strictWidth: boolean): Built {
  const fail = (reason: string): Built => ({
    ok: false,
    error: { line: row.line, code: 'unparsable_row', reason },
  });
  if (strictWidth) {
    const beyond = row.cells.findIndex((cell, i) => i >= header.width && cell.trim() !== '');
    if (beyond !== -1) {
      return fail(
        `value in column ${beyond + 1}, right of the ${header.width} columns the header names ` +
          '(a comma inside an unquoted value?)',
      );
    }
  }
  const entries: Array<[string, string]> = [];
  for (const column of header.columns) {
    const problem = row.problems?.get(column.index);
    if (problem !== undefined) return fail(`column "${column.name}" ${problem}`);
    const value = row.cells[column.index] ?? '';
    if (value !== '') entries.push([column.name, value]);
  }
  // fromEntries defines own properties, so a column named __proto__ stays a column.
  return {
    ok: true,
    line: row.line,
    body: JSON.stringify(Object.fromEntries(entries)),
    unreadableTime: hasUnreadableTime(row.cells, header),
  };
}

function isBlank(row: SheetRow): boolean {
  return row.kind === 'cells' && row.cells.every((cell) => cell.trim() === '') && !row.problems?.size;
}

/** Parse, map and validate without storing: what `ingest` would answer, duplicates aside. */
/** A dry run: every step but the write. */
async function checkOnly(ctx: AppContext, raw: RawPostback): Promise<Verdict> {
  const check = await ctx.ingestor.check(raw);
  return check.status === 'valid' ? { status: 'accepted', eventId: 0 } : check;
}

/** Keeps the `max` errors with the lowest lines (chunks finish out of order with unreadable rows). */
class ErrorList {
  readonly items: ImportRowError[] = [];
  constructor(private readonly max: number) {}
  add(error: ImportRowError): void {
    const last = this.items.at(-1);
    if (this.items.length >= this.max && (last === undefined || error.line >= last.line)) return;
    let at = this.items.length;
    while (at > 0 && (this.items[at - 1]?.line ?? 0) > error.line) at--;
    this.items.splice(at, 0, error);
    if (this.items.length > this.max) this.items.pop();
  }
}

async function openRows(path: string, format: ImportFormat, fileName: string, sheet: string | undefined) {
  try {
    if (format === 'xlsx') return await openXlsx(path, sheet);
    const base = basename(fileName, extname(fileName));
    return await openCsv(path, sheet ?? base);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('not_found', `no such file: ${path}`, { field: 'file' });
    if (code === 'EISDIR') throw new AppError('bad_request', `${path} is a directory`, { field: 'file' });
    throw new AppError('unprocessable', `cannot read ${path}: ${(error as Error).message}`, {
      field: 'file',
    });
  }
}

/**
 * Imports `path` into the source `options.sourceSlug`. Resolves with the counts and the first row
 * errors once every accepted row is stored. Throws an AppError before storing anything when the
 * file or the options are unusable (bad_request / not_found / unprocessable), and an
 * ImportAbortedError (with the counts so far) when storage fails part-way.
 */
export async function importFile(
  ctx: AppContext,
  path: string,
  options: ImportOptions,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportSummary> {
  const started = performance.now();
  const fileName = options.fileName ?? path;
  const format = formatOf(fileName);
  if (
    options.sheet !== undefined &&
    (options.sheet.trim() === '' || options.sheet.length > FIELD_MAX_LENGTH.sheet)
  ) {
    throw new AppError('bad_request', `sheet name must be 1-${FIELD_MAX_LENGTH.sheet} characters`, {
      field: 'sheet',
    });
  }
  const source = await ctx.sources.get(options.sourceSlug);
  if (!source) {
    const known = ctx.sources
      .list()
      .map((s) => s.slug)
      .sort();
    const hint =
      known.length > 0
        ? `known sources: ${known.join(', ')}`
        : 'no sources yet: start the server once (it creates the built-in ones) or run "affpanel source add"';
    throw new AppError('not_found', `unknown source "${options.sourceSlug}" (${hint})`, { field: 'source' });
  }
  const dryRun = options.dryRun ?? false;
  /** How a row's position is named: CSV rows by file line, XLSX rows by sheet row. */
  const where = format === 'xlsx' ? 'row' : 'line';
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, ctx.config.ingest.queueMax));
  const errors = new ErrorList(options.maxErrors ?? DEFAULT_MAX_ERRORS);

  const reader: RowReader = await openRows(path, format, fileName, options.sheet);
  const defaultSheet = reader.sheet.slice(0, FIELD_MAX_LENGTH.sheet);
  const summary: ImportSummary = {
    file: basename(fileName),
    format,
    sheet: defaultSheet,
    source: source.slug,
    dryRun,
    interrupted: false,
    lastLine: 0,
    rows: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    errors: errors.items,
    rejectedByCode: {},
    ignoredColumns: [],
    timeFallbacks: { rows: 0, firstLine: null },
    seconds: 0,
  };
  const reject = (error: ImportRowError) => {
    summary.rejected++;
    summary.rejectedByCode[error.code] = (summary.rejectedByCode[error.code] ?? 0) + 1;
    errors.add(error);
  };

  const submit = (body: string): Promise<Verdict> => {
    const raw: RawPostback = {
      channel: 'import',
      sourceSlug: source.slug,
      method: 'IMPORT',
      rawQuery: '',
      rawBody: body,
      contentType: 'application/json',
      url: '/import',
      headers: {},
      ip: null,
      userAgent: null,
      receivedAt: new Date(),
      defaultSheet,
    };
    return dryRun ? checkOnly(ctx, raw) : ctx.ingestor.ingest(raw);
  };

  let pending: Array<{ line: number; body: string; unreadableTime: boolean }> = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    const results = await Promise.allSettled(batch.map((row) => submit(row.body)));
    let failure: unknown = null;
    results.forEach((result, i) => {
      const row = batch[i];
      const line = row?.line ?? 0;
      if (result.status === 'rejected') {
        failure ??= result.reason;
        return;
      }
      const verdict = result.value;
      if (verdict.status === 'accepted') {
        summary.accepted++;
        if (row?.unreadableTime) {
          summary.timeFallbacks.rows++;
          if (summary.timeFallbacks.firstLine === null || line < summary.timeFallbacks.firstLine) {
            summary.timeFallbacks.firstLine = line;
          }
        }
      } else if (verdict.status === 'duplicate') summary.duplicates++;
      else reject({ line, code: verdict.rejection.code, reason: verdict.rejection.reason });
    });
    if (failure !== null) {
      // Rows whose write failed are neither stored nor counted: the import stops here.
      summary.rows -= results.filter((r) => r.status === 'rejected').length;
      summary.seconds = (performance.now() - started) / 1000;
      const first = `${where} ${batch[0]?.line ?? 0}`;
      const detail = failure instanceof Error ? failure.message : String(failure);
      throw new ImportAbortedError(`import stopped near ${first}: ${detail}`, summary, failure);
    }
    onProgress({
      rows: summary.rows,
      accepted: summary.accepted,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
    });
  };

  let header: Header | null = null;
  try {
    for await (const row of reader.rows) {
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      if (isBlank(row)) continue;
      if (header === null) {
        if (row.kind === 'error') {
          throw new AppError(
            'unprocessable',
            `the header row (${where} ${row.line}) cannot be read: ${row.reason}`,
          );
        }
        const read = readHeader(row.cells, source, `${where} ${row.line}`);
        header = read.header;
        summary.ignoredColumns = read.ignored;
        continue;
      }
      summary.rows++;
      summary.lastLine = Math.max(summary.lastLine, row.line);
      if (row.kind === 'error') {
        reject({ line: row.line, code: row.code, reason: row.reason });
        continue;
      }
      const built = buildRow(row, header, reader.strictWidth);
      if (!built.ok) {
        reject(built.error);
        continue;
      }
      pending.push({ line: built.line, body: built.body, unreadableTime: built.unreadableTime });
      if (pending.length >= chunkSize) await flush();
    }
    if (header === null && !summary.interrupted) throw new AppError('unprocessable', 'the file is empty');
    await flush();
  } finally {
    reader.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
