/**
 * Parses a query string or form body into parameters, strictly: invalid percent-encoding,
 * invalid UTF-8 and NUL bytes are refused rather than guessed at. Names are matched
 * case-insensitively downstream, so they are lower-cased here; every value of a repeated name is kept.
 */
import { accept, reject, type StepResult } from './step.js';

export type Params = Map<string, string[]>;

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

export function parseParams(text: string, into: Params = new Map()): StepResult<Params> {
  if (text === '') return accept(into);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const name = decode(rawName);
    if (name === null) return reject('invalid_encoding', 'invalid percent-encoding in a parameter name');
    const value = decode(rawValue);
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
