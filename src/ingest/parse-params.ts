/**
 * Parses a query string or form body into parameters, strictly: invalid percent-encoding,
 * invalid UTF-8 and NUL bytes are refused rather than guessed at. Names are matched
 * case-insensitively downstream, so they are lower-cased here; every value of a repeated name is kept.
 */
import { accept, reject, type StepResult } from './step.js';

export type Params = Map<string, string[]>;

/**
 * `+` as a space, then percent-decoding; null when an escape or the UTF-8 it spells is invalid.
 * Text holding neither `%` nor `+` decodes to itself, so it is returned as it is: most postback
 * names and values are plain, and decodeURIComponent is the dearest call on the hot path.
 */
export function decodeComponent(text: string): string | null {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

export function parseParams(text: string, into: Params = new Map()): StepResult<Params> {
  if (text === '') return accept(into);
  // Walks the pairs in place (what `text.split('&')` would give, empty pairs skipped) without
  // building the array of pairs first. `eq` is the next `=` at or after the pair's start, found
  // again only once a pair has passed it, so the walk stays linear.
  let eq = text.indexOf('=');
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pairStart = start;
    start = end + 1;
    if (end === pairStart) continue;
    if (eq !== -1 && eq < pairStart) eq = text.indexOf('=', pairStart);
    const hasValue = eq !== -1 && eq < end;
    const rawName = text.slice(pairStart, hasValue ? eq : end);
    const rawValue = hasValue ? text.slice(eq + 1, end) : '';
    const name = decodeComponent(rawName);
    if (name === null) return reject('invalid_encoding', 'invalid percent-encoding in a parameter name');
    const value = decodeComponent(rawValue);
    const key = name.trim().toLowerCase();
    if (value === null)
      return reject('invalid_encoding', `invalid percent-encoding in parameter ${key}`, key);
    if (key.includes('\0') || value.includes('\0')) {
      return reject('invalid_encoding', `NUL byte in parameter ${key.replaceAll('\0', '')}`, key);
    }
    if (key === '') continue;
    appendParam(into, key, value);
  }
  return accept(into);
}

export function appendParam(params: Params, key: string, value: string): void {
  const list = params.get(key);
  if (list) list.push(value);
  else params.set(key, [value]);
}

/** Flattens a JSON object body: scalar values only, nested objects and arrays are refused. */
export function paramsFromJson(text: string, into: Params = new Map()): StepResult<Params> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return reject('invalid_body', 'body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return reject('invalid_body', 'JSON body must be an object of parameters');
  }
  for (const [name, value] of Object.entries(body)) {
    const key = name.trim().toLowerCase();
    if (value === null || value === undefined) continue;
    if (typeof value === 'object')
      return reject('invalid_body', `parameter ${key} must be a string or number`, key);
    const text = String(value);
    if (key.includes('\0') || text.includes('\0'))
      return reject('invalid_encoding', `NUL byte in parameter ${key}`, key);
    appendParam(into, key, text);
  }
  return accept(into);
}
