/**
 * Imports a CSV or XLSX file of events into a source, through the same pipeline as a postback
 * (channel `import`): the header row names the columns (canonical field names or any name the
 * source's template maps), every following row is one event. Rows are streamed and submitted in
 * concurrent chunks so the group-commit writer batches them. A bad row is counted and reported
 * with its line and reason and does not stop the others. `dryRun` runs parse, map and validate
 * only and stores nothing. `allOrNothing` (the web import) holds every write until the whole file
 * has been read and then stores it in one transaction (see held-writes.ts), so a file that fails
 * part-way, by storage or by a fatal file error, leaves nothing behind. Used by `affpanel import`
 * (streaming, chunk by chunk) and the web import.
 */
import { basename, extname } from 'node:path';
import type { AppContext } from '../context.js';
import { FIELD_MAX_LENGTH } from '../domain.js';
import { AppError } from '../errors.js';
import type { Ingestor, Verdict } from '../ingest/ingestor.js';
import type { RawPostback } from '../ingest/raw-postback.js';
import { storedDuplicate } from '../ingest/stored-duplicate.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import { openCsv } from './csv-rows.js';
import { buildRow, type Header, isBlank, readHeader } from './header.js';
import { HeldWrites } from './held-writes.js';
import type { ImportErrorCode, ImportRowError, RowReader } from './sheet-row.js';
import { openXlsx } from './xlsx-rows.js';

export type { ImportErrorCode, ImportRowError } from './sheet-row.js';

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
  /**
   * Store every row of the file in one transaction once it has all been read, or nothing: when
   * storage fails, a fatal file error occurs or the signal fires, nothing at all is stored.
   */
  allOrNothing?: boolean;
  /** Refuse the file (storing nothing in all-or-nothing mode) when it holds more data rows than this. */
  maxRows?: number;
  /** All-or-nothing mode: called once every row has been read, before the one transaction starts. */
  onStore?: (rows: number) => void;
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
  /** All-or-nothing mode: the brands (slugs) of the rows stored or recognised as duplicates, at most 20. */
  brands?: string[];
  /** All-or-nothing mode: the earliest and latest event time of those rows (ISO), or null. */
  occurred?: { from: string; to: string } | null;
  seconds: number;
}

/**
 * The import stopped part-way (storage failed): what was read and stored until then. In
 * all-or-nothing mode nothing was stored (the summary's accepted and duplicates are 0).
 */
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
const SUMMARY_BRANDS = 20;

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

/**
 * A dry run: every step but the write; what `ingest` would answer. A duplicate is one of an
 * event already stored (its id) or of an earlier row of the same file (id 0), as an import of
 * the file would find.
 */
async function checkOnly(ctx: AppContext, raw: RawPostback, seen: Set<string>): Promise<Verdict> {
  const check = await ctx.ingestor.check(raw);
  if (check.status !== 'valid') return check;
  const stored = await storedDuplicate(ctx.db, check.event);
  if (stored !== null) return { status: 'duplicate', eventId: stored };
  const key = check.event.dedupKey;
  if (key !== null) {
    if (seen.has(key)) return { status: 'duplicate', eventId: 0 };
    seen.add(key);
  }
  return { status: 'accepted', eventId: 0 };
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

export async function openRows(
  path: string,
  format: ImportFormat,
  fileName: string,
  sheet: string | undefined,
): Promise<RowReader> {
  try {
    if (format === 'xlsx') return await openXlsx(path, sheet);
    const base = basename(fileName, extname(fileName));
    return await openCsv(path, sheet ?? base);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('not_found', `no such file: ${path}`, { field: 'file' });
    if (code === 'EISDIR') throw new AppError('bad_request', `${path} is a directory`, { field: 'file' });
    throw new AppError('unprocessable', `cannot read ${basename(fileName)}: ${(error as Error).message}`, {
      field: 'file',
    });
  }
}

/** The source to import into, or a not_found error listing the ones there are. */
export async function resolveSource(ctx: AppContext, slug: string): Promise<CompiledSource> {
  const source = await ctx.sources.get(slug);
  if (source) return source;
  const known = ctx.sources
    .list()
    .map((s) => s.slug)
    .sort();
  const hint =
    known.length > 0
      ? `known sources: ${known.join(', ')}`
      : 'no sources yet: start the server once (it creates the built-in ones) or run "affpanel source add"';
  throw new AppError('not_found', `unknown source "${slug}" (${hint})`, { field: 'source' });
}

/** Checks the `sheet` option: 1 to FIELD_MAX_LENGTH.sheet characters when given. */
export function checkSheetName(sheet: string | undefined): void {
  if (sheet !== undefined && (sheet.trim() === '' || sheet.length > FIELD_MAX_LENGTH.sheet)) {
    throw new AppError('bad_request', `sheet name must be 1-${FIELD_MAX_LENGTH.sheet} characters`, {
      field: 'sheet',
    });
  }
}

/** How a row's position is named: CSV rows by file line, XLSX rows by sheet row. */
export function rowWord(format: ImportFormat): 'line' | 'row' {
  return format === 'xlsx' ? 'row' : 'line';
}

/** The raw postback one row becomes: its cells as a JSON body, on the `import` channel. */
export function rowPostback(source: CompiledSource, body: string, defaultSheet: string): RawPostback {
  return {
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
}

interface PendingRow {
  line: number;
  body: string;
  unreadableTime: boolean;
}

/** An accepted row whose event time could not be read: the summary points at the first. */
function noteTimeFallback(summary: ImportSummary, line: number): void {
  summary.timeFallbacks.rows++;
  if (summary.timeFallbacks.firstLine === null || line < summary.timeFallbacks.firstLine) {
    summary.timeFallbacks.firstLine = line;
  }
}

/**
 * Imports `path` into the source `options.sourceSlug`. Resolves with the counts and the first row
 * errors once every accepted row is stored. Throws an AppError before storing anything when the
 * file or the options are unusable (bad_request / not_found / unprocessable), and an
 * ImportAbortedError (with the counts so far) when storage fails part-way. In all-or-nothing mode
 * any throw means nothing was stored.
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
  checkSheetName(options.sheet);
  const source = await resolveSource(ctx, options.sourceSlug);
  const dryRun = options.dryRun ?? false;
  const where = rowWord(format);
  const chunkSize = Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK, ctx.config.ingest.queueMax));
  const errors = new ErrorList(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const held = options.allOrNothing && !dryRun ? new HeldWrites(ctx, chunkSize) : null;
  const ingestor: Ingestor = held?.ingestor ?? ctx.ingestor;
  /** All-or-nothing: the rows whose (provisional) acceptance waits for the commit, by placeholder id. */
  const heldRows = new Map<number, PendingRow>();

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
  const aborted = (message: string, failure: unknown): ImportAbortedError => {
    summary.seconds = (performance.now() - started) / 1000;
    if (held) {
      summary.accepted = 0;
      summary.duplicates = 0;
      summary.timeFallbacks = { rows: 0, firstLine: null };
    }
    const detail = failure instanceof Error ? failure.message : String(failure);
    return new ImportAbortedError(`${message}: ${detail}`, summary, failure);
  };

  const seenKeys = new Set<string>();
  const submit = (body: string): Promise<Verdict> => {
    const raw = rowPostback(source, body, defaultSheet);
    return dryRun ? checkOnly(ctx, raw, seenKeys) : ingestor.ingest(raw);
  };

  let pending: PendingRow[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    const results = await Promise.allSettled(batch.map((row) => submit(row.body)));
    let failure: unknown = null;
    results.forEach((result, i) => {
      const row = batch[i];
      if (!row) return;
      if (result.status === 'rejected') {
        failure ??= result.reason;
        return;
      }
      const verdict = result.value;
      if (verdict.status === 'accepted') {
        summary.accepted++;
        if (held) heldRows.set(verdict.eventId, row);
        else if (row.unreadableTime) noteTimeFallback(summary, row.line);
      } else if (verdict.status === 'duplicate') summary.duplicates++;
      else reject({ line: row.line, code: verdict.rejection.code, reason: verdict.rejection.reason });
    });
    if (failure !== null) {
      // Rows whose write failed are neither stored nor counted: the import stops here.
      summary.rows -= results.filter((r) => r.status === 'rejected').length;
      throw aborted(`import stopped near ${where} ${batch[0]?.line ?? 0}`, failure);
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
      if (options.maxRows !== undefined && summary.rows > options.maxRows) {
        throw new AppError(
          'unprocessable',
          `the file holds more than ${options.maxRows.toLocaleString('en-US')} rows (${where} ${row.line} ` +
            'is one too many): split it, or import it with "affpanel import"',
          { field: 'file' },
        );
      }
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
  } catch (error) {
    await held?.discard();
    throw error;
  } finally {
    reader.close();
  }
  if (held) await commitHeld(held, heldRows, summary, options, aborted);
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** All-or-nothing: stores every held row in one transaction and counts what it became. */
async function commitHeld(
  held: HeldWrites,
  heldRows: ReadonlyMap<number, PendingRow>,
  summary: ImportSummary,
  options: ImportOptions,
  aborted: (message: string, failure: unknown) => ImportAbortedError,
): Promise<void> {
  if (summary.interrupted) {
    // Stopped before the end: the file was not read whole, so none of it is stored.
    await held.discard();
    summary.accepted = 0;
    return;
  }
  options.onStore?.(summary.accepted);
  let outcomes: Map<number, 'accepted' | 'duplicate'>;
  try {
    outcomes = await held.commit();
  } catch (error) {
    throw aborted('import failed while storing, nothing was stored', error);
  }
  summary.brands = held.brands(SUMMARY_BRANDS);
  const span = held.span();
  summary.occurred = span && { from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString() };
  summary.accepted = 0;
  for (const [id, row] of heldRows) {
    if (outcomes.get(id) === 'duplicate') summary.duplicates++;
    else {
      summary.accepted++;
      if (row.unreadableTime) noteTimeFallback(summary, row.line);
    }
  }
}
