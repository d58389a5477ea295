/**
 * The result type every normaliser returns, plus the two small helpers they share.
 * A normaliser never throws for bad input: it answers `{ ok: false, reason }`, and the reason is
 * short enough to be sent back to the network as the body of a 4xx.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * Trims ASCII whitespace (space, tab, CR, LF) only. `String.prototype.trim` would also eat
 * no-break and other Unicode spaces, which we would rather reject than silently accept.
 */
export function trimAscii(raw: string): string {
  return raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
