/**
 * What the file readers (CSV, XLSX) hand the importer: one row of cell texts with the line it
 * came from (the file line for CSV, the sheet row number for XLSX), or a row that could not be
 * read at all, with the reason. The importer decides what the cells mean.
 */
import type { RejectionCode } from '../ingest/step.js';

/** Why a row was not imported: a pipeline rejection code, or `unparsable_row` for a row the reader could not read. */
export type ImportErrorCode = RejectionCode | 'unparsable_row';

/** A row that was not imported, where it is and why. */
export interface ImportRowError {
  /** CSV: the file line the row starts on. XLSX: the sheet row number. */
  line: number;
  code: ImportErrorCode;
  reason: string;
}

export type SheetRow =
  | {
      kind: 'cells';
      line: number;
      /** Cell texts by column, left to right; an empty cell is ''. */
      cells: string[];
      /** Cells that hold no usable value (an XLSX error such as #N/A), by column index. */
      problems?: ReadonlyMap<number, string>;
    }
  | { kind: 'error'; line: number; code: ImportErrorCode; reason: string };

export interface RowReader {
  /** The default for the `sheet` field: the worksheet name, or the CSV file's base name. */
  sheet: string;
  /** CSV: a value right of the last named column means the row is misaligned (an unquoted comma). */
  strictWidth: boolean;
  rows: AsyncIterable<SheetRow>;
  /** Stops reading and releases the file (safe to call twice, or after the end). */
  close(): void;
}
