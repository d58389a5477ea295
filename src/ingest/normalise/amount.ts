/**
 * Money amounts: postback text -> exact integer micro-units (value x 10^6) as a bigint, and back.
 * Never goes through a float, never rounds, never guesses a locale: `12,50` and `1 000` are
 * rejected, not reinterpreted. Never throws; a rejection carries a short reason for the network.
 */
import { fail, ok, type Parsed, trimAscii } from './parsed.js';

export const MICROS_PER_UNIT = 1_000_000n;
export const MAX_INTEGER_DIGITS = 12;
export const MAX_DECIMALS = 6;

const AMOUNT_RE = /^(\d{1,12})(?:\.(\d{1,6}))?$/;
/** Digits and one dot, in any amounts: used only to explain a rejection precisely. */
const LOOSE_RE = /^(\d*)\.?(\d*)$/;
const EXPONENT_RE = /^\d*\.?\d*e[+-]?\d+$/i;

const GENERIC = 'amount must be a non-negative decimal like 12.50';

/**
 * Parses `12`, `12.5`, `0.000001`, `000123.40` (up to 12 integer digits and 6 decimals, ASCII
 * digits, a dot as separator, surrounding ASCII whitespace ignored) into micro-units.
 */
export function parseAmount(raw: string): Parsed<bigint> {
  const text = trimAscii(raw);
  const match = AMOUNT_RE.exec(text);
  if (match === null) return fail(explain(text));
  const integer = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(MAX_DECIMALS, '0');
  return ok(BigInt(integer) * MICROS_PER_UNIT + BigInt(fraction));
}

function explain(text: string): string {
  if (text === '') return 'amount is empty';
  if (text.includes(','))
    return 'amount must use a dot as decimal separator, comma not accepted (e.g. 12.50)';
  if (text.startsWith('-')) return 'amount must not be negative';
  if (text.startsWith('+')) return 'amount must be written without a sign, like 12.50';
  if (/\s/.test(text)) return 'amount must not contain spaces, like 1000.00';
  if (EXPONENT_RE.test(text) && /\d/.test(text))
    return 'amount must be written out, not in exponent form like 1e3';
  const loose = LOOSE_RE.exec(text);
  if (loose !== null) {
    const integer = loose[1] ?? '';
    const fraction = loose[2] ?? '';
    if (integer === '') return 'amount needs a digit before the dot, like 0.5';
    if (text.endsWith('.')) return 'amount needs a digit after the dot, like 5.0';
    if (integer.length > MAX_INTEGER_DIGITS)
      return `amount has more than ${MAX_INTEGER_DIGITS} digits before the dot`;
    if (fraction.length > MAX_DECIMALS) return `amount has more than ${MAX_DECIMALS} decimal places`;
  }
  return GENERIC;
}

/**
 * Formats micro-units as the canonical decimal: no leading zeros, no trailing fractional zeros,
 * no dot for whole amounts (`12.5`, `0.000001`, `123`, `0`). Negative values (differences,
 * refunds in totals) get a leading `-`.
 */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const integer = (magnitude / MICROS_PER_UNIT).toString();
  const remainder = magnitude % MICROS_PER_UNIT;
  const fraction =
    remainder === 0n ? '' : `.${remainder.toString().padStart(MAX_DECIMALS, '0').replace(/0+$/, '')}`;
  return `${negative ? '-' : ''}${integer}${fraction}`;
}
