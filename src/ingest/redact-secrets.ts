/**
 * Keeps secrets and unstorable bytes out of what is stored verbatim. The source key is found by
 * the same decoded, case-insensitive name the authentication step reads (so `%6Bey=` or `KEY=`
 * cannot slip past), and NUL characters, which PostgreSQL text cannot hold, become U+FFFD.
 */
import { KEY_PARAMS } from './authenticate-source.js';
import { decodeComponent } from './parse-params.js';

const KEY_NAMES: ReadonlySet<string> = new Set(KEY_PARAMS);
export const REDACTED = '***';
const KEY_JSON_PATTERN = new RegExp(`"(${KEY_PARAMS.join('|')})"(\\s*):(\\s*)"(?:[^"\\\\]|\\\\.)*"?`, 'gi');

/** Whether a raw (still encoded) parameter name is one the authentication step reads a key from. */
function isKeyName(rawName: string): boolean {
  const name = decodeComponent(rawName);
  return name !== null && KEY_NAMES.has(name.trim().toLowerCase());
}

/**
 * Replaces the value of every key parameter in a query string or form body. One walk over the
 * pairs (as `text.split('&')` gives them); the text is only rebuilt when it holds a key.
 */
export function redactParams(text: string): string {
  if (text === '') return text;
  let out: string | null = null; // built from the first key on
  let copied = 0; // text before this index is already in `out`
  let eq = text.indexOf('='); // the next `=` at or after the pair's start (see parseParams)
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    const pairStart = start;
    start = end + 1;
    if (eq !== -1 && eq < pairStart) eq = text.indexOf('=', pairStart);
    const nameEnd = eq !== -1 && eq < end ? eq : end;
    if (!isKeyName(text.slice(pairStart, nameEnd))) continue;
    out = `${out ?? ''}${text.slice(copied, nameEnd)}=${REDACTED}`;
    copied = end;
  }
  return out === null ? text : out + text.slice(copied);
}

/** Replaces key values in a JSON object body; the body is re-serialised only when it held a key. */
export function redactJson(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Unparsable, so no key was read from it, but it may still hold one: blank what looks like it.
    return text.replace(KEY_JSON_PATTERN, '"$1"$2:$3"***"');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return text;
  let found = false;
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    const secret = KEY_NAMES.has(name.trim().toLowerCase());
    found ||= secret;
    copy[name] = secret ? REDACTED : value;
  }
  return found ? JSON.stringify(copy) : text;
}

export function redactBody(body: string | null, contentType: string | null): string | null {
  if (body === null) return null;
  return (contentType ?? '').toLowerCase().includes('json') ? redactJson(body) : redactParams(body);
}

/** NUL cannot be stored in PostgreSQL text; it is shown as U+FFFD instead. */
export function storableText(text: string): string;
export function storableText(text: string | null): string | null;
export function storableText(text: string | null): string | null {
  return text === null ? null : text.replaceAll('\0', '\uFFFD');
}
