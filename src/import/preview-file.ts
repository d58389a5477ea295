/**
 * The first rows of a file as an import would read them, without storing anything: the header's
 * columns with the field each fills for the chosen source, the worksheets of a workbook, and the
 * first data rows with what the pipeline would make of each (valid, with its event type, or the
 * reason it would be rejected). A header the import would refuse is reported, not thrown, so the
 * page can still show the columns next to the problem.
 */
import { basename } from 'node:path';
import type { AppContext } from '../context.js';
import { type EventType, FIELD_MAX_LENGTH } from '../domain.js';
import { AppError } from '../errors.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import { buildRow, type ColumnUse, columnUses, type Header, isBlank, readHeader } from './header.js';
import {
  checkSheetName,
  formatOf,
  type ImportFormat,
  openRows,
  resolveSource,
  rowPostback,
  rowWord,
} from './import-file.js';
import type { ImportErrorCode, SheetRow } from './sheet-row.js';
import { listSheets } from './xlsx-rows.js';

export const PREVIEW_ROWS = 20;

export type RowVerdict =
  | { status: 'valid'; type: EventType }
  | { status: 'rejected'; code: ImportErrorCode; reason: string };

export interface ImportPreview {
  file: string;
  format: ImportFormat;
  source: { slug: string; name: string; isActive: boolean };
  /** The worksheet read (XLSX), or the sheet name events get by default (CSV). */
  sheet: string;
  /** XLSX: every worksheet in tab order; CSV: null. */
  sheets: Array<{ name: string; visible: boolean }> | null;
  /** Where the header is (file line or sheet row); null for an empty file. */
  headerLine: number | null;
  /** Why the import would refuse this header (no brand column, a name twice), or null. */
  headerProblem: string | null;
  columns: Array<{ name: string; use: ColumnUse }>;
  /** The first data rows, cells aligned with `columns`. */
  rows: Array<{ line: number; cells: string[]; verdict: RowVerdict | null }>;
  /** True when the file has more data rows than shown. */
  more: boolean;
}

export interface PreviewOptions {
  sourceSlug: string;
  sheet?: string;
  /** The name the file had for the user (sets format and default sheet). */
  fileName: string;
}

/** The header's named columns when it cannot be used for importing (shown as they are). */
function looseHeader(cells: string[]): Header {
  const columns = cells.map((cell, index) => ({ index, name: cell.trim() })).filter((c) => c.name !== '');
  return { columns, width: cells.length, timeColumns: [] };
}

async function rowVerdict(
  ctx: AppContext,
  row: SheetRow,
  header: Header,
  strictWidth: boolean,
  source: CompiledSource,
  sheet: string,
): Promise<RowVerdict> {
  if (row.kind === 'error') return { status: 'rejected', code: row.code, reason: row.reason };
  const built = buildRow(row, header, strictWidth);
  if (!built.ok) return { status: 'rejected', code: built.error.code, reason: built.error.reason };
  const check = await ctx.ingestor.check(rowPostback(source, built.body, sheet));
  return check.status === 'valid'
    ? { status: 'valid', type: check.event.type }
    : { status: 'rejected', code: check.rejection.code, reason: check.rejection.reason };
}

export async function previewFile(
  ctx: AppContext,
  path: string,
  options: PreviewOptions,
): Promise<ImportPreview> {
  const format = formatOf(options.fileName);
  checkSheetName(options.sheet);
  const source = await resolveSource(ctx, options.sourceSlug);
  const sheets = format === 'xlsx' ? await listSheets(path) : null;
  const reader = await openRows(path, format, options.fileName, options.sheet);
  const where = rowWord(format);
  const preview: ImportPreview = {
    file: basename(options.fileName),
    format,
    source: { slug: source.slug, name: source.name, isActive: source.isActive },
    sheet: reader.sheet.slice(0, FIELD_MAX_LENGTH.sheet),
    sheets,
    headerLine: null,
    headerProblem: null,
    columns: [],
    rows: [],
    more: false,
  };
  let header: Header | null = null;
  let usable = false;
  try {
    for await (const row of reader.rows) {
      if (isBlank(row)) continue;
      if (header === null) {
        preview.headerLine = row.line;
        if (row.kind === 'error') {
          preview.headerProblem = `the header row (${where} ${row.line}) cannot be read: ${row.reason}`;
          break;
        }
        try {
          header = readHeader(row.cells, source, `${where} ${row.line}`).header;
          usable = true;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          header = looseHeader(row.cells);
          preview.headerProblem = error.message;
        }
        const uses = columnUses(header, source);
        preview.columns = header.columns.map((column, i) => ({
          name: column.name,
          use: uses[i] ?? { kind: 'ignored' },
        }));
        continue;
      }
      if (preview.rows.length >= PREVIEW_ROWS) {
        preview.more = true;
        break;
      }
      const cells =
        row.kind === 'cells' ? (header?.columns ?? []).map((column) => row.cells[column.index] ?? '') : [];
      const verdict =
        usable && header
          ? await rowVerdict(ctx, row, header, reader.strictWidth, source, preview.sheet)
          : null;
      preview.rows.push({ line: row.line, cells, verdict });
    }
  } finally {
    reader.close();
  }
  if (preview.headerLine === null) preview.headerProblem = 'the file is empty';
  return preview;
}
