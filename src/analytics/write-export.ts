/**
 * Streams a table as CSV (`csv-line`) or XLSX (exceljs WorkbookWriter) into a writable, in
 * constant memory: rows arrive from an async iterator in chunks (arrays of rows) and each chunk is
 * written as it comes, waiting for the consumer when it is slower, so at most about one chunk is
 * held. Every text cell is made safe against formula injection (OWASP: a cell starting with
 * = + - @ tab or CR gets a leading apostrophe). Stops reading when the consumer goes away.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type Cell, csvLine, csvLines, safeCell } from './csv-line.js';

export type { Cell } from './csv-line.js';

export type ExportFormat = 'csv' | 'xlsx';

/** Resolves once `out` can take more (true) or has closed (false). */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve(!out.destroyed);
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

async function writeCsv(
  out: Writable,
  header: string[],
  chunks: AsyncIterable<readonly Cell[][]>,
): Promise<number> {
  let count = 0;
  if (!out.write(csvLine(header)) && !(await drained(out))) return count;
  for await (const rows of chunks) {
    if (out.destroyed) break;
    count += rows.length;
    if (!out.write(csvLines(rows)) && !(await drained(out))) break;
  }
  return count;
}

export async function writeExport(
  out: Writable,
  format: ExportFormat,
  header: string[],
  chunks: AsyncIterable<readonly Cell[][]>,
): Promise<number> {
  if (format === 'csv') {
    const count = await writeCsv(out, header, chunks);
    if (!out.destroyed) {
      out.end();
      await ended(out);
    }
    return count;
  }
  let count = 0;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet('export');
  sheet.addRow(header).commit();
  for await (const rows of chunks) {
    if (out.destroyed) return count;
    for (const row of rows) sheet.addRow(row.map(safeCell)).commit();
    count += rows.length;
  }
  sheet.commit();
  await workbook.commit();
  return count;
}

/** Waits for the end of the stream: 'finish' once written out, or 'close' if it was torn down. */
function ended(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('finish', done);
      out.off('close', done);
      resolve();
    };
    out.on('finish', done);
    out.on('close', done);
  });
}
