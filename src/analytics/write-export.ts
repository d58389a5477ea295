/**
 * Streams a table as CSV (csv-stringify) or XLSX (exceljs WorkbookWriter) into a writable, in
 * constant memory: rows arrive from an async iterator in chunks and are written as they come,
 * waiting for the consumer when it is slower. Every text cell is made safe against formula
 * injection (OWASP: a cell starting with = + - @ tab or CR gets a leading apostrophe).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';

export type ExportFormat = 'csv' | 'xlsx';
export type Cell = string | number | boolean | null;

const DANGEROUS = /^[=+\-@\t\r]/;

/** OWASP CSV-injection rule: a leading apostrophe makes a spreadsheet read the cell as text. */
export function safeCell(value: Cell): Cell {
  return typeof value === 'string' && DANGEROUS.test(value) ? `'${value}` : value;
}

export async function writeExport(
  out: Writable,
  format: ExportFormat,
  header: string[],
  rows: AsyncIterable<Cell[]>,
): Promise<number> {
  let count = 0;
  if (format === 'csv') {
    const csv = stringify({ header: true, columns: header, cast: { boolean: (b) => (b ? '1' : '0') } });
    csv.pipe(out);
    for await (const row of rows) {
      if (!csv.write(row.map(safeCell))) await once(csv, 'drain');
      count++;
    }
    csv.end();
    await once(out, 'finish').catch(() => undefined);
    return count;
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet('export');
  sheet.addRow(header).commit();
  for await (const row of rows) {
    sheet.addRow(row.map(safeCell)).commit();
    count++;
  }
  sheet.commit();
  await workbook.commit();
  return count;
}
