/**
 * One CSV record as text (RFC 4180, as csv-stringify writes it with its defaults): fields joined by
 * commas, a field quoted when it holds a comma, a quote, CR or LF, quotes inside doubled, records
 * ended by LF. null is an empty field, booleans are 1/0, numbers as JavaScript prints them. Every
 * text cell first goes through `safeCell` (formula injection). Written by hand because the export
 * formats millions of records and csv-stringify's per-record cost was most of its time; the unit
 * test checks the output against csv-stringify's. Must never emit a field unquoted that a reader
 * could split or read as a formula.
 */

export type Cell = string | number | boolean | null;

const DANGEROUS = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** OWASP CSV-injection rule: a leading apostrophe makes a spreadsheet read the cell as text. */
export function safeCell(value: Cell): Cell {
  return typeof value === 'string' && DANGEROUS.test(value) ? `'${value}` : value;
}

export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = DANGEROUS.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(row: readonly Cell[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += ',';
    line += csvField(row[i] ?? null);
  }
  return `${line}\n`;
}

/** Many records as one string, so a chunk of rows costs one stream write. */
export function csvLines(rows: readonly (readonly Cell[])[]): string {
  let text = '';
  for (const row of rows) text += csvLine(row);
  return text;
}
