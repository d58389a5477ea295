/**
 * Streams one worksheet of an XLSX workbook into rows numbered as the sheet numbers them, without
 * loading the workbook into memory (exceljs' streaming WorkbookReader). The worksheet is the one
 * named by `--sheet`, else the first visible one. Cells become the text a person sees: numbers to
 * at most 15 significant digits (Excel's own precision, so 0.1+0.2 reads 0.3), dates as ISO UTC
 * times, formulas as their saved result; text, including text starting with `=`, stays verbatim.
 *
 * exceljs' streaming reader depends on the order of the parts inside the zip: worksheets stored
 * before the shared strings are parked in temporary files (and an unread one fails to open its
 * file later), and a workbook stored last (as exceljs itself writes it) loses its sheet list. So
 * the file is read through its central directory and handed over as a fresh zip stream in the
 * order the reader wants: workbook, relationships, shared strings, styles, then the worksheets.
 */
import type { Readable } from 'node:stream';
import archiver from 'archiver';
import ExcelJS, { type CellValue, type Row } from 'exceljs';
import unzipper from 'unzipper';
import { AppError } from '../errors.js';
import type { RowReader, SheetRow } from './sheet-row.js';

/** The parts of exceljs' streaming readers its type definitions leave out. */
interface SheetInfo {
  name: string;
  state?: string;
}
interface WorksheetStream extends AsyncIterable<Row> {
  name: string;
}
interface WorkbookStream {
  model?: { sheets?: SheetInfo[] };
  [Symbol.asyncIterator](): AsyncIterator<WorksheetStream>;
}

export type CellText = { ok: true; text: string } | { ok: false; problem: string };

function numberText(value: number): CellText {
  if (!Number.isFinite(value)) return { ok: false, problem: 'holds no number' };
  return { ok: true, text: String(Number(value.toPrecision(15))) };
}

/** The text of one cell as the spreadsheet shows it, or why it has none. */
export function cellText(value: CellValue): CellText {
  if (value === null || value === undefined) return { ok: true, text: '' };
  if (typeof value === 'string') return { ok: true, text: value };
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return { ok: true, text: value ? 'true' : 'false' };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { ok: false, problem: 'holds an invalid date' };
    return { ok: true, text: value.toISOString() };
  }
  if ('error' in value) return { ok: false, problem: `holds the error ${value.error}` };
  if ('richText' in value) return { ok: true, text: value.richText.map((part) => part.text).join('') };
  if ('hyperlink' in value) return { ok: true, text: value.text };
  if ('formula' in value || 'sharedFormula' in value) {
    if (value.result === undefined) {
      return { ok: false, problem: 'holds a formula with no saved result (open and save the file in Excel)' };
    }
    return cellText(value.result);
  }
  return { ok: false, problem: 'holds a value of an unknown kind' };
}

function rowCells(row: Row): Pick<Extract<SheetRow, { kind: 'cells' }>, 'cells' | 'problems'> {
  const cells: string[] = [];
  let problems: Map<number, string> | undefined;
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    const index = column - 1;
    while (cells.length < index) cells.push('');
    const text = cellText(cell.value);
    if (text.ok) cells[index] = text.text;
    else {
      cells[index] = '';
      problems ??= new Map();
      problems.set(index, text.problem);
    }
  });
  return problems ? { cells, problems } : { cells };
}

/** Where each part goes in the stream handed to exceljs; parts it never reads are left out. */
function partRank(name: string): number | undefined {
  const fixed = [
    '[Content_Types].xml',
    '_rels/.rels',
    'xl/workbook.xml',
    'xl/_rels/workbook.xml.rels',
    'xl/sharedStrings.xml',
    'xl/styles.xml',
  ].indexOf(name);
  if (fixed >= 0) return fixed;
  const sheet = /^xl\/worksheets\/(?:_rels\/)?sheet(\d+)\.xml(\.rels)?$/.exec(name);
  return sheet ? 10 + Number(sheet[1]) * 2 + (sheet[2] ? 0 : 1) : undefined;
}

/** The workbook's parts as one zip stream in the order exceljs' streaming reader needs. */
async function orderedWorkbook(path: string): Promise<Readable> {
  let directory: unzipper.CentralDirectory;
  try {
    directory = await unzipper.Open.file(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError('unprocessable', `cannot read the XLSX file (${detail})`);
  }
  const parts = directory.files
    .filter((entry) => entry.type === 'File')
    .map((entry) => ({ entry, rank: partRank(entry.path) }))
    .filter((part): part is { entry: unzipper.File; rank: number } => part.rank !== undefined)
    .sort((a, b) => a.rank - b.rank);
  // Store without compression: the stream is read once, right here, so deflating it again is waste.
  const zip = archiver('zip', { store: true });
  for (const { entry } of parts) zip.append(entry.stream(), { name: entry.path });
  void zip.finalize().catch((error: unknown) => zip.destroy(error as Error));
  return zip;
}

async function drain(sheet: WorksheetStream): Promise<void> {
  for await (const _row of sheet) {
    // skipped
  }
}

function isVisible(sheet: SheetInfo): boolean {
  return sheet.state === undefined || sheet.state === 'visible';
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return XML_ENTITIES[name] ?? whole;
  });
}

function xmlAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : xmlText(value);
}

/** The worksheets of a workbook in their tab order, from its sheet list (`xl/workbook.xml`). */
export async function listSheets(path: string): Promise<Array<{ name: string; visible: boolean }>> {
  let xml: string;
  try {
    const directory = await unzipper.Open.file(path);
    const entry = directory.files.find((file) => file.path === 'xl/workbook.xml');
    if (!entry) throw new Error('it has no sheet list (xl/workbook.xml)');
    xml = (await entry.buffer()).toString('utf8');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError('unprocessable', `cannot read the XLSX file (${detail})`, { field: 'file' });
  }
  const sheets: Array<{ name: string; visible: boolean }> = [];
  for (const [tag] of xml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = xmlAttribute(tag, 'name');
    if (name === undefined) continue;
    const state = xmlAttribute(tag, 'state');
    sheets.push({ name, visible: state === undefined || state === 'visible' });
  }
  return sheets;
}

/**
 * Opens the worksheet `wanted` (exact name, else the one name that matches ignoring case), or the
 * first visible worksheet. Throws when the file is not an XLSX workbook or has no such sheet.
 */
export async function openXlsx(path: string, wanted: string | undefined): Promise<RowReader> {
  const file = await orderedWorkbook(path);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as WorkbookStream;
  const sheets = workbook[Symbol.asyncIterator]();
  const seen: string[] = [];

  const matches = (name: string): boolean => {
    if (wanted !== undefined) {
      if (name === wanted) return true;
      const folded = (workbook.model?.sheets ?? []).filter(
        (s) => s.name.toLowerCase() === wanted.toLowerCase(),
      );
      return folded.length === 1 && folded[0]?.name === name;
    }
    const first = (workbook.model?.sheets ?? []).find(isVisible) ?? workbook.model?.sheets?.[0];
    // Without the workbook's sheet list (an unusual file layout), the first sheet stored is taken.
    return first === undefined || first.name === name;
  };

  let found: WorksheetStream | undefined;
  try {
    for (;;) {
      const next = await sheets.next();
      if (next.done) break;
      seen.push(next.value.name);
      if (matches(next.value.name)) {
        found = next.value;
        break;
      }
      // Read a skipped sheet through rather than leave its entry half-consumed in the zip stream.
      await drain(next.value);
    }
  } catch (error) {
    file.destroy();
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError('unprocessable', `cannot read the XLSX file (${detail})`);
  }
  if (!found) {
    file.destroy();
    const names = (workbook.model?.sheets ?? []).map((s) => s.name);
    const list = (names.length > 0 ? names : seen).map((n) => `"${n}"`).join(', ');
    throw new AppError(
      'unprocessable',
      wanted === undefined
        ? 'the workbook has no worksheet'
        : `no worksheet "${wanted}" in the workbook (it has ${list || 'none'})`,
    );
  }

  const worksheet = found;
  async function* rows(): AsyncGenerator<SheetRow> {
    try {
      for await (const row of worksheet) {
        yield { kind: 'cells', line: row.number, ...rowCells(row) };
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new AppError('unprocessable', `cannot read the XLSX file (${detail})`);
    } finally {
      // The rest of the workbook (later sheets) is not needed.
      file.destroy();
    }
  }

  return {
    sheet: worksheet.name,
    strictWidth: false,
    rows: rows(),
    close() {
      file.destroy();
    },
  };
}
