/**
 * Streams a CSV file into rows with the file line each row starts on. csv-parse does the parsing
 * (quoted fields with delimiters, quotes and line breaks inside, a UTF-8 BOM); line numbers are
 * counted here from the bytes, because a quoted field can span lines. The delimiter (comma,
 * semicolon or tab) is taken from the header line. Quotes inside an unquoted field are kept as
 * text, as spreadsheet programs do; a quote left open swallows the rest of the file, which is
 * reported as one unreadable row at the line it opens on.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { type CsvError, type Options, parse } from 'csv-parse';
import { AppError } from '../errors.js';
import type { RowReader, SheetRow } from './sheet-row.js';

/** Bytes looked at to pick the delimiter and the line-break style. */
const SNIFF_BYTES = 64 * 1024;
/** A record longer than this is certainly not a row of events: a quote left open, most likely. */
const MAX_RECORD_BYTES = 1024 * 1024;

/** What a byte sequence that is not UTF-8 decodes to. */
const REPLACEMENT_CHARACTER = '\uFFFD';
const NOT_UTF8 = 'row is not valid UTF-8 text: save the file as "CSV UTF-8" and import that';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

export type Delimiter = ',' | ';' | '\t';

export interface CsvLayout {
  delimiter: Delimiter;
  /** The byte that ends a line: `\n` (also for `\r\n` files) or `\r` (old Mac files). */
  lineBreak: typeof LF | typeof CR;
}

/** The delimiter used most on the header line (outside quotes), comma when none is; the line-break style. */
export function sniffLayout(sample: Buffer): CsvLayout {
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    throw new AppError('unprocessable', 'the file is UTF-16 text: save it as "CSV UTF-8" and import that');
  }
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let lineBreak: CsvLayout['lineBreak'] = LF;
  for (let i = 0; i < sample.length; i++) {
    const byte = sample[i];
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted && (byte === LF || byte === CR)) {
      if (byte === CR && i + 1 < sample.length && sample[i + 1] !== LF) lineBreak = CR;
      break;
    } else if (!quoted) {
      if (byte === 0x2c) counts[',']++;
      else if (byte === 0x3b) counts[';']++;
      else if (byte === 0x09) counts['\t']++;
    }
  }
  let delimiter: Delimiter = ',';
  if (counts[';'] > counts[delimiter]) delimiter = ';';
  if (counts['\t'] > counts[delimiter]) delimiter = '\t';
  return { delimiter, lineBreak };
}

/**
 * Where the line breaks of a stream are, so a byte offset can be turned into a line number.
 * Offsets are asked for in increasing order, so breaks already passed are forgotten.
 */
export class LineIndex {
  private breaks: number[] = [];
  private head = 0;
  private passed = 0;
  private fed = 0;

  constructor(private readonly lineBreak: number) {}

  feed(chunk: Buffer): void {
    let at = chunk.indexOf(this.lineBreak);
    while (at !== -1) {
      this.breaks.push(this.fed + at);
      at = chunk.indexOf(this.lineBreak, at + 1);
    }
    this.fed += chunk.length;
  }

  /** The 1-based line holding the byte at `offset`. */
  lineAt(offset: number): number {
    while (this.head < this.breaks.length && (this.breaks[this.head] ?? Infinity) < offset) this.head++;
    if (this.head > 4096 && this.head * 2 > this.breaks.length) {
      this.breaks = this.breaks.slice(this.head);
      this.passed += this.head;
      this.head = 0;
    }
    return this.passed + this.head + 1;
  }

  /** How many line breaks a parsed value holds (a quoted field keeps its line breaks verbatim). */
  countIn(text: string): number {
    const mark = String.fromCharCode(this.lineBreak);
    let n = 0;
    let at = text.indexOf(mark);
    while (at !== -1) {
      n++;
      at = text.indexOf(mark, at + 1);
    }
    return n;
  }
}

async function readSample(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function csvErrorReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed, so the rest of the file could not be read';
    case 'CSV_MAX_RECORD_SIZE':
      return 'row longer than 1 MiB (a quoted field left open?); the rest of the file could not be read';
    default:
      return `unreadable CSV: ${error.message}`;
  }
}

interface ParsedRecord {
  line: number;
  cells: string[];
}

/** Opens a CSV file for reading rows; `sheet` is the default sheet name for its events. */
export async function openCsv(path: string, sheet: string): Promise<RowReader> {
  const layout = sniffLayout(await readSample(path));
  const index = new LineIndex(layout.lineBreak);
  /** Offset just past the last record read: where an unreadable record starts. */
  let lastEnd = 0;
  const failures: SheetRow[] = [];

  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      index.feed(chunk);
      done(null, chunk);
    },
  });
  const options: Options<ParsedRecord, string[]> = {
    delimiter: layout.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[], context): ParsedRecord => {
      // The record ends on the line of its last byte; it starts as many lines up as its cells hold breaks.
      const end = index.lineAt(Math.max(0, context.bytes - 1));
      const inside = record.reduce((n, cell) => n + index.countIn(cell), 0);
      lastEnd = context.bytes;
      return { line: end - inside, cells: record };
    },
  };
  // The typings allow `on_record` to return another shape only together with `columns`.
  const parser = parse(options as unknown as Options);
  parser.on('skip', (error: CsvError) => {
    failures.push({
      kind: 'error',
      line: index.lineAt(lastEnd),
      code: 'unparsable_row',
      reason: csvErrorReason(error),
    });
  });
  const file = createReadStream(path);
  pipeline(file, counter, parser, () => {
    // Errors reach the reader through the parser; an early stop ends the pipeline on purpose.
  });

  async function* rows(): AsyncGenerator<SheetRow> {
    for await (const record of parser as AsyncIterable<ParsedRecord>) {
      if (record.cells.some((cell) => cell.includes(REPLACEMENT_CHARACTER))) {
        yield { kind: 'error', line: record.line, code: 'invalid_encoding', reason: NOT_UTF8 };
      } else {
        yield { kind: 'cells', line: record.line, cells: record.cells };
      }
    }
    // Parse errors are only possible at the end here (a quote never closed), so they come last.
    yield* failures;
  }

  return {
    sheet,
    strictWidth: true,
    rows: rows(),
    close() {
      parser.destroy();
      file.destroy();
    },
  };
}
