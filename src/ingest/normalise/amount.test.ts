import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, parseAmount } from './amount.js';

describe('parseAmount accepts', () => {
  it.each([
    ['a whole number', '12', 12_000_000n],
    ['one decimal', '12.5', 12_500_000n],
    ['two decimals', '12.50', 12_500_000n],
    ['the smallest unit', '0.000001', 1n],
    ['leading and trailing zeros', '000123.40', 123_400_000n],
    ['zero', '0', 0n],
    ['zero with decimals', '0.000000', 0n],
    ['the largest value', '999999999999.999999', 999_999_999_999_999_999n],
    ['surrounding ASCII spaces', '  7.25 ', 7_250_000n],
    ['a surrounding tab and newline', '\t7.25\n', 7_250_000n],
  ])('%s: %j', (_why, raw, micros) => {
    expect(parseAmount(raw)).toEqual({ ok: true, value: micros });
  });
});

describe('parseAmount rejects', () => {
  it.each([
    ['empty text', '', /empty/],
    ['only spaces', '   ', /empty/],
    ['a negative amount', '-5', /negative/],
    ['an explicit plus sign', '+5', /without a sign/],
    ['hexadecimal', '0x10', /non-negative decimal like 12\.50/],
    ['a huge exponent', '1e309', /exponent/],
    ['exponent notation', '1e3', /exponent/],
    ['exponent with decimals', '1.5E+2', /exponent/],
    ['trailing letters', '12abc', /non-negative decimal/],
    ['Infinity', 'Infinity', /non-negative decimal/],
    ['NaN', 'NaN', /non-negative decimal/],
    ['a decimal comma', '12,50', /comma not accepted/],
    ['a thousands comma', '1,000.00', /comma not accepted/],
    ['a space as thousands separator', '1 000', /spaces/],
    ['a no-break space inside', '1\u00a0000', /spaces/],
    ['a surrounding no-break space', '\u00a012', /spaces/],
    ['no digit before the dot', '.5', /digit before the dot/],
    ['no digit after the dot', '5.', /digit after the dot/],
    ['a lone dot', '.', /digit before the dot/],
    ['two dots', '1.2.3', /non-negative decimal/],
    ['more than 6 decimals', '1.1234567', /more than 6 decimal places/],
    ['more than 12 integer digits', '1234567890123', /more than 12 digits before the dot/],
    ['Arabic-Indic digits', '١٢', /non-negative decimal/],
    ['full-width digits', '１２', /non-negative decimal/],
    ['a currency symbol', '€12', /non-negative decimal/],
    ['a currency code', '12 EUR', /spaces/],
  ])('%s: %j', (_why, raw, reason) => {
    const parsed = parseAmount(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason.length).toBeLessThanOrEqual(100);
    }
  });
});

describe('formatMicros', () => {
  it.each([
    [0n, '0'],
    [1n, '0.000001'],
    [12_500_000n, '12.5'],
    [12_000_000n, '12'],
    [123_400_000n, '123.4'],
    [100_000n, '0.1'],
    [999_999_999_999_999_999n, '999999999999.999999'],
    [-12_500_000n, '-12.5'],
    [-1n, '-0.000001'],
  ])('%s micros formats as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });
});

/** The canonical spelling of an accepted amount, computed on the text alone. */
function canonical(integer: string, fraction: string): string {
  const int = integer.replace(/^0+(?=\d)/, '');
  const frac = fraction.replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

describe('amount properties', () => {
  const integerDigits = fc.stringMatching(/^\d{1,12}$/);
  const fractionDigits = fc.stringMatching(/^\d{0,6}$/);

  it('formatMicros(parseAmount(x)) is the canonical spelling of x', () => {
    fc.assert(
      fc.property(integerDigits, fractionDigits, (integer, fraction) => {
        const raw = fraction === '' ? integer : `${integer}.${fraction}`;
        const parsed = parseAmount(raw);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(formatMicros(parsed.value)).toBe(canonical(integer, fraction));
      }),
    );
  });

  it('parseAmount(formatMicros(m)) gives m back for every representable amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999_999n }), (micros) => {
        expect(parseAmount(formatMicros(micros))).toEqual({ ok: true, value: micros });
      }),
    );
  });

  it('reads int.ffffff as int × 10^6 + ffffff micro-units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.integer({ min: 0, max: 999_999 }),
        (int, frac) => {
          const raw = `${int}.${String(frac).padStart(6, '0')}`;
          const parsed = parseAmount(raw);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(parsed.value).toBe(BigInt(int) * 1_000_000n + BigInt(frac));
        },
      ),
    );
  });

  it('never throws, and rejects with a non-empty reason, on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (raw) => {
        const parsed = parseAmount(raw);
        if (!parsed.ok) expect(parsed.reason).not.toBe('');
      }),
    );
  });
});
