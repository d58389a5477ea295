/**
 * Country codes: postback text -> an ISO 3166-1 alpha-2 code in upper case (`es` -> `ES`).
 * Never guesses from names or alpha-3 codes (`ESP` is rejected with a hint, not mapped), and
 * never accepts a code that names no country (`XX`, `EU`). Never throws.
 */
import { ISO_3166_ALPHA2_SET } from './iso-data.js';
import { fail, ok, type Parsed, trimAscii } from './parsed.js';

/**
 * Codes that are not officially assigned but that affiliate data sends for a real country.
 * - `UK` -> `GB`: UK is only "exceptionally reserved" in ISO 3166-1, yet networks and hand-made
 *   sheets use it for the United Kingdom all the time; the canonical code is GB.
 * - `XK` (Kosovo) is kept as is: it is user-assigned, not ISO, but it is what the EU, CLDR and
 *   IP-geolocation databases (hence `{geo}` macros) use; rejecting it would drop real players.
 */
const ALIASES: Readonly<Record<string, string>> = { UK: 'GB' };
const ACCEPTED_USER_ASSIGNED: ReadonlySet<string> = new Set(['XK']);

export function parseCountry(raw: string): Parsed<string> {
  const text = trimAscii(raw);
  if (text === '') return fail('country is empty');
  // Checked before upper-casing, so no Unicode letter can upper-case into ASCII.
  if (/^[A-Za-z]{3}$/.test(text)) {
    return fail(
      `country must be an ISO 3166-1 alpha-2 code (2 letters, e.g. ES), not alpha-3 like ${text.toUpperCase()}`,
    );
  }
  if (!/^[A-Za-z]{2}$/.test(text)) return fail('country must be a 2-letter ISO 3166-1 alpha-2 code like DE');
  const upper = text.toUpperCase();
  const code = ALIASES[upper] ?? upper;
  if (ISO_3166_ALPHA2_SET.has(code) || ACCEPTED_USER_ASSIGNED.has(code)) return ok(code);
  return fail(`country ${code} is not an ISO 3166-1 alpha-2 code`);
}
