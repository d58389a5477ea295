/**
 * Receives an uploaded file (a request body streamed as it arrives) into a temporary directory of
 * its own, so the importer can read it from disk. Refuses, before or while writing, a body over
 * the size limit, a name that is not `.csv` or `.xlsx`, an empty file, and content that does not
 * match the name (a workbook must be a zip; a CSV must be text). Whatever goes wrong, nothing is
 * left on disk; on success the caller must call `remove()` when done with the file.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { formatOf, type ImportFormat } from './import-file.js';

/** Every temporary upload directory starts with this (tests look for leftovers by it). */
export const UPLOAD_DIR_PREFIX = 'affpanel-upload-';
const NAME_MAX = 255;
const SNIFF_BYTES = 8192;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export interface SavedUpload {
  path: string;
  /** The name the file had for the user (no directory part). */
  name: string;
  format: ImportFormat;
  size: number;
  /** Deletes the file and its directory (safe to call twice). */
  remove(): Promise<void>;
}

function mebibytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError(
    'payload_too_large',
    `the file is larger than ${mebibytes(maxBytes)}, the most the web import takes: split it, or import it with "affpanel import"`,
    { field: 'file' },
  );
}

/** The user's file name without any directory part, checked: 1-255 characters, .csv or .xlsx. */
export function uploadName(raw: string | undefined): { name: string; format: ImportFormat } {
  const name = basename((raw ?? '').replaceAll('\\', '/')).trim();
  if (name === '' || name.length > NAME_MAX || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new AppError('bad_request', `name must be the file's name, 1-${NAME_MAX} characters`, {
      field: 'name',
    });
  }
  return { name, format: formatOf(name) };
}

/** Passes bytes through, counting them; fails the stream past the limit. */
class SizeLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) done(tooLarge(this.maxBytes));
    else done(null, chunk);
  }
}

async function firstBytes(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Refuses content that is not what the name says. */
function checkContent(head: Buffer, name: string, format: ImportFormat): void {
  if (head.length === 0) throw new AppError('unprocessable', `"${name}" is empty`, { field: 'file' });
  const isZip = head.subarray(0, 4).equals(ZIP_MAGIC);
  if (format === 'xlsx' && !isZip) {
    throw new AppError(
      'unprocessable',
      `"${name}" is not an XLSX workbook (an old .xls file, or a CSV renamed?): save it as .xlsx or .csv`,
      { field: 'file' },
    );
  }
  if (format === 'csv' && isZip) {
    throw new AppError('unprocessable', `"${name}" is a workbook, not CSV text: name it .xlsx`, {
      field: 'file',
    });
  }
  // UTF-16 text holds NUL bytes too; the CSV reader explains that case itself.
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (format === 'csv' && !utf16 && head.includes(0)) {
    throw new AppError('unprocessable', `"${name}" is not a text file: export the sheet as CSV`, {
      field: 'file',
    });
  }
}

/** Streams `body` into a new temporary file; `declaredBytes` (Content-Length) is checked first. */
export async function saveUpload(
  body: Readable,
  rawName: string | undefined,
  maxBytes: number,
  declaredBytes?: number,
): Promise<SavedUpload> {
  const { name, format } = uploadName(rawName);
  if (declaredBytes !== undefined && declaredBytes > maxBytes) throw tooLarge(maxBytes);
  const dir = await mkdtemp(join(tmpdir(), UPLOAD_DIR_PREFIX));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, `upload.${format}`);
  try {
    const limit = new SizeLimit(maxBytes);
    await pipeline(body, limit, createWriteStream(path));
    checkContent(await firstBytes(path), name, format);
    return { path, name, format, size: limit.bytes, remove };
  } catch (error) {
    await remove();
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request', 'the upload did not arrive whole: try again', { field: 'file' });
  }
}
