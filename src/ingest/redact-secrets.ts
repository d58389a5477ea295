/**
 * Keeps secrets and unstorable bytes out of what is stored verbatim. The source key is found by
 * the same decoded, case-insensitive name the authentication step reads (so `%6Bey=` or `KEY=`
 * cannot slip past), and NUL characters, which PostgreSQL text cannot hold, become U+FFFD.
 */
import { KEY_PARAMS } from './authenticate-source.js';

const KEY_NAMES: ReadonlySet<string> = new Set(KEY_PARAMS);
export const REDACTED = '***';
const KEY_JSON_PATTERN = new RegExp(`"(${KEY_PARAMS.join('|')})"(\\s*):(\\s*)"(?:[^"\\\\]|\\\\.)*"?`, 'gi');

function decodedName(rawName: string): string | null {
  try {
    return decodeURIComponent(rawName.replaceAll('+', ' ')).trim().toLowerCase();
  } catch {
    return null;
  }
}

/** Replaces the value of every key parameter in a query string or form body. */
export function redactParams(text: string): string {
  if (text === '') return text;
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const name = decodedName(rawName);
      return name !== null && KEY_NAMES.has(name) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
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
