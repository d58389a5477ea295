/**
 * What a file's header row means for a source, and how a data row becomes the JSON body the
 * postback pipeline reads: the header names the columns (canonical field names or any name the
 * source's template maps), a row keeps its non-empty cells under those names. Shared by the
 * importer and the import preview; nothing here reads a file or stores anything.
 */
import type { CanonicalField } from '../domain.js';
import { AppError } from '../errors.js';
import { KEY_PARAMS } from '../ingest/authenticate-source.js';
import { detectMacro } from '../ingest/detect-macros.js';
import { parseTimestamp } from '../ingest/normalise/timestamp.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import type { ImportRowError, SheetRow } from './sheet-row.js';

export interface Column {
  index: number;
  name: string;
}

export interface Header {
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

export function readHeader(
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

export type Built =
  | { ok: true; line: number; body: string; unreadableTime: boolean }
  | { ok: false; error: ImportRowError };

/** True when the row gives an event time the pipeline will not read (and so replaces with now). */
function hasUnreadableTime(cells: string[], header: Header): boolean {
  const value = header.timeColumns.map((i) => (cells[i] ?? '').trim()).find((v) => v !== '');
  if (value === undefined || detectMacro(value) !== null) return false;
  return !parseTimestamp(value, new Date()).ok;
}

export function buildRow(
  row: Extract<SheetRow, { kind: 'cells' }>,
  header: Header,
  strictWidth: boolean,
): Built {
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

export function isBlank(row: SheetRow): boolean {
  return row.kind === 'cells' && row.cells.every((cell) => cell.trim() === '') && !row.problems?.size;
}

/** What a column becomes: the canonical field it fills, the source key (never stored), or nothing. */
export type ColumnUse = { kind: 'field'; field: CanonicalField } | { kind: 'key' } | { kind: 'ignored' };

/**
 * The use of each header column for this source. A name several fields list goes to the first
 * field that lists it, the way the source's mapping reads parameters.
 */
export function columnUses(header: Header, source: CompiledSource): ColumnUse[] {
  const keyNames: readonly string[] = KEY_PARAMS;
  return header.columns.map((column): ColumnUse => {
    const name = column.name.toLowerCase();
    for (const [field, names] of source.params) if (names.includes(name)) return { kind: 'field', field };
    return keyNames.includes(name) ? { kind: 'key' } : { kind: 'ignored' };
  });
}
