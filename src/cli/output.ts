/**
 * Where commands write: `out` for results (a table, a summary), `err` for progress and
 * warnings, one line per call. Commands take an Output so tests can capture what they print.
 */

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** The process's own stdout / stderr. */
export const stdio: Output = {
  out: (line) => {
    process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
};

/** Collects lines instead of printing them (tests, and callers that want the text). */
export class BufferedOutput implements Output {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  out(line: string): void {
    this.lines.push(line);
  }
  err(line: string): void {
    this.errors.push(line);
  }
  get text(): string {
    return this.lines.join('\n');
  }
  get errorText(): string {
    return this.errors.join('\n');
  }
}

/** 1234567 -> "1,234,567". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Left-aligned columns separated by two spaces; the header is underlined. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A duration in seconds as people say it: "45 s", "90 min", "24 h", "7 d". */
export function duration(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds >= 86_400 * 2) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** "2025-01-02 12:00:00 UTC". */
export function utc(at: number | Date): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
