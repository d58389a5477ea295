import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCurrency } from './currency.js';
import { ISO_4217_CURRENCIES, ISO_4217_CURRENCY_SET, WITHDRAWN_CURRENCIES } from './iso-data.js';

describe('parseCurrency accepts', () => {
  it.each([
    ['EUR', 'EUR'],
    ['usd', 'USD'],
    ['Gbp', 'GBP'],
    [' jpy ', 'JPY'],
    ['BHD', 'BHD'],
    ['XOF', 'XOF'],
    ['XCG', 'XCG'],
  ])('%j as %s (trimmed, upper-cased)', (raw, code) => {
    expect(parseCurrency(raw)).toEqual({ ok: true, value: code });
  });

  it('every listed code, in upper and lower case', () => {
    for (const code of ISO_4217_CURRENCIES) {
      expect(parseCurrency(code)).toEqual({ ok: true, value: code });
      expect(parseCurrency(code.toLowerCase())).toEqual({ ok: true, value: code });
    }
  });
});

describe('parseCurrency rejects', () => {
  it.each([
    ['empty text', '', /empty/],
    ['a currency name', 'EURO', /3-letter ISO 4217 code like EUR/],
    ['a currency symbol', '€', /3-letter ISO 4217 code/],
    ['a symbol and code', '$US', /3-letter ISO 4217 code/],
    ['two letters', 'US', /3-letter ISO 4217 code/],
    ['a crypto ticker', 'usdt', /3-letter ISO 4217 code/],
    ['a three-letter crypto ticker', 'BTC', /BTC is not an ISO 4217 code/],
    ['an unknown code', 'ABC', /ABC is not an ISO 4217 code/],
    ['gold (not a currency)', 'XAU', /not an ISO 4217 code/],
    ['the testing code', 'XTS', /not an ISO 4217 code/],
    ['the no-currency code', 'XXX', /not an ISO 4217 code/],
    ['a fund code', 'CLF', /not an ISO 4217 code/],
    ['digits', '978', /3-letter ISO 4217 code/],
    ['a Unicode letter that upper-cases to ASCII', 'uſd', /3-letter ISO 4217 code/],
    ['a withdrawn code, naming its successor', 'HRK', /HRK is withdrawn from ISO 4217; use EUR/],
    ['the lev, withdrawn when Bulgaria joined the euro', 'bgn', /BGN is withdrawn.*use EUR/],
    ['the old Antillean guilder', 'ANG', /use XCG/],
  ])('%s: %j', (_why, raw, reason) => {
    const parsed = parseCurrency(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('ISO 4217 list', () => {
  it('holds unique upper-case three-letter codes in alphabetical order', () => {
    expect(new Set(ISO_4217_CURRENCIES).size).toBe(ISO_4217_CURRENCIES.length);
    for (const code of ISO_4217_CURRENCIES) expect(code).toMatch(/^[A-Z]{3}$/);
    expect([...ISO_4217_CURRENCIES].sort()).toEqual(ISO_4217_CURRENCIES);
  });

  it('includes the currencies affiliate programmes pay in', () => {
    for (const code of 'EUR USD GBP JPY BHD BRL CAD AUD NOK SEK PLN CZK HUF TRY INR MXN ZAR NZD CHF DKK RON'.split(
      ' ',
    )) {
      expect(ISO_4217_CURRENCY_SET.has(code)).toBe(true);
    }
  });

  it('names, for every withdrawn code, a successor that is itself listed and is not listed itself', () => {
    for (const [old, successor] of Object.entries(WITHDRAWN_CURRENCIES)) {
      expect(ISO_4217_CURRENCY_SET.has(old)).toBe(false);
      expect(ISO_4217_CURRENCY_SET.has(successor)).toBe(true);
    }
  });
});

describe('currency properties', () => {
  it('accepts a three-letter text exactly when its upper case is listed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z]{3}$/), (raw) => {
        expect(parseCurrency(raw).ok).toBe(ISO_4217_CURRENCY_SET.has(raw.toUpperCase()));
      }),
    );
  });
});
