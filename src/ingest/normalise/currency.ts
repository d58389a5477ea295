/**
 * Currency codes: postback text -> an active ISO 4217 code in upper case (`eur ` -> `EUR`).
 * Never guesses: symbols (`€`), names (`EURO`), crypto tickers (`USDT`) and withdrawn codes are
 * rejected, never mapped, so a wrong wiring shows up instead of mixing currencies. Never throws.
 */
import { ISO_4217_CURRENCY_SET, WITHDRAWN_CURRENCIES } from './iso-data.js';
import { fail, ok, type Parsed, trimAscii } from './parsed.js';

export function parseCurrency(raw: string): Parsed<string> {
  const text = trimAscii(raw);
  if (text === '') return fail('currency is empty');
  // Checked before upper-casing: toUpperCase would turn e.g. 'ſ' into 'S'.
  if (!/^[A-Za-z]{3}$/.test(text)) return fail('currency must be a 3-letter ISO 4217 code like EUR');
  const code = text.toUpperCase();
  if (ISO_4217_CURRENCY_SET.has(code)) return ok(code);
  const successor = WITHDRAWN_CURRENCIES[code];
  if (successor !== undefined) return fail(`currency ${code} is withdrawn from ISO 4217; use ${successor}`);
  return fail(`currency ${code} is not an ISO 4217 code`);
}
