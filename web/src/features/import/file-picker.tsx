/**
 * Choosing the file: a drop zone that is also the label of a (visually hidden, keyboard-reachable)
 * file input, so a click, Enter/Space on the input or a drop all pick a file. Only the first file
 * of a drop is taken; the type and size are checked here for a quick answer (the server checks
 * again, by content too).
 */
import { type DragEvent, useId, useState } from 'react';

const ACCEPT = '.csv,.xlsx';

export function mebibytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
}

/** A file's size as people read it: bytes, KiB or MiB. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return mebibytes(bytes);
}

/** Why a file cannot be imported, before sending it; null when it may be. */
export function fileProblem(file: File, maxBytes: number): string | null {
  const name = file.name.toLowerCase();
  if (!name.endsWith('.csv') && !name.endsWith('.xlsx')) {
    return `"${file.name}" is not a .csv or .xlsx file`;
  }
  if (file.size === 0) return `"${file.name}" is empty`;
  if (file.size > maxBytes) {
    return `"${file.name}" is ${mebibytes(file.size)}, more than the ${mebibytes(maxBytes)} the web import takes: split it, or use "affpanel import"`;
  }
  return null;
}

export function FilePicker({
  file,
  onFile,
  maxBytes,
  maxRows,
  disabled,
}: {
  file: File | null;
  onFile: (file: File) => void;
  maxBytes: number;
  maxRows: number;
  disabled: boolean;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const drop = (e: DragEvent<HTMLLabelElement>) => {
    e.preventDefault();
    setOver(false);
    const dropped = e.dataTransfer.files[0];
    if (dropped && !disabled) onFile(dropped);
  };
  return (
    <div className="field">
      <span className="field-label" id={`${id}-label`}>
        File
      </span>
      <label
        htmlFor={id}
        className={`im-drop${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
        data-testid="import-drop"
        onDragOver={(e) => {
          e.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <input
          id={id}
          className="sr-only"
          type="file"
          accept={ACCEPT}
          disabled={disabled}
          aria-labelledby={`${id}-label`}
          aria-describedby={`${id}-hint`}
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            if (chosen) onFile(chosen);
            e.target.value = '';
          }}
        />
        {file ? (
          <span className="im-drop-file">
            <strong>{file.name}</strong> <span className="muted">({fileSize(file.size)})</span>
            <span className="im-drop-action">Choose another file</span>
          </span>
        ) : (
          <span>
            <strong>Drop a file here</strong> <span className="muted">or</span>{' '}
            <span className="im-drop-action">choose one</span>
          </span>
        )}
        <span className="muted im-drop-hint" id={`${id}-hint`}>
          CSV or XLSX, up to {mebibytes(maxBytes)} and {maxRows.toLocaleString('en-US')} rows. The first row
          names the columns.
        </span>
      </label>
    </div>
  );
}
