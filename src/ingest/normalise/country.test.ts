import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCountry } from './country.js';
import { ISO_3166_ALPHA2, ISO_3166_ALPHA2_SET } from './iso-data.js';

describe('parseCountry accepts', () => {
  it.each([
    ['DE', 'DE'],
    ['es', 'ES'],
    ['Gb', 'GB'],
    [' fr ', 'FR'],
    ['BR', 'BR'],
  ])('%j as %s (trimmed, upper-cased)', (raw, code) => {
    expect(parseCountry(raw)).toEqual({ ok: true, value: code });
  });

  it('maps UK, the usual spelling in affiliate data, to GB', () => {
    expect(parseCountry('UK')).toEqual({ ok: true, value: 'GB' });
    expect(parseCountry('uk')).toEqual({ ok: true, value: 'GB' });
  });

  it('keeps XK for Kosovo, the de-facto code geolocation sends', () => {
    expect(parseCountry('xk')).toEqual({ ok: true, value: 'XK' });
  });

  it('every officially assigned code, in upper and lower case', () => {
    for (const code of ISO_3166_ALPHA2) {
      expect(parseCountry(code)).toEqual({ ok: true, value: code });
      expect(parseCountry(code.toLowerCase())).toEqual({ ok: true, value: code });
    }
  });
});

describe('parseCountry rejects', () => {
  it.each([
    ['empty text', '', /empty/],
    ['a user-assigned code', 'XX', /XX is not an ISO 3166-1 alpha-2 code/],
    ['the unknown-region code', 'ZZ', /not an ISO 3166-1 alpha-2 code/],
    ['the reserved EU code', 'EU', /not an ISO 3166-1 alpha-2 code/],
    ['a transitionally reserved code', 'YU', /not an ISO 3166-1 alpha-2 code/],
    [
      'an alpha-3 code, saying alpha-2 is required',
      'ESP',
      /alpha-2 code \(2 letters, e\.g\. ES\), not alpha-3 like ESP/,
    ],
    ['a lower-case alpha-3 code', 'gbr', /not alpha-3 like GBR/],
    ['one letter', 'E', /2-letter ISO 3166-1 alpha-2 code like DE/],
    ['digits', '12', /2-letter ISO 3166-1 alpha-2 code/],
    ['a numeric ISO code', '724', /2-letter ISO 3166-1 alpha-2 code/],
    ['a country name', 'Spain', /2-letter ISO 3166-1 alpha-2 code/],
    ['a locale', 'es-ES', /2-letter ISO 3166-1 alpha-2 code/],
    ['non-ASCII letters', 'ÉS', /2-letter ISO 3166-1 alpha-2 code/],
  ])('%s: %j', (_why, raw, reason) => {
    const parsed = parseCountry(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('ISO 3166-1 list', () => {
  it('holds the 249 officially assigned codes, unique, upper case, in order', () => {
    expect(ISO_3166_ALPHA2).toHaveLength(249);
    expect(new Set(ISO_3166_ALPHA2).size).toBe(249);
    for (const code of ISO_3166_ALPHA2) expect(code).toMatch(/^[A-Z]{2}$/);
    expect([...ISO_3166_ALPHA2].sort()).toEqual(ISO_3166_ALPHA2);
  });

  it('leaves out reserved and user-assigned codes', () => {
    for (const code of ['UK', 'EU', 'EL', 'XK', 'XX', 'ZZ', 'AN', 'CS', 'SU', 'YU', 'TP', 'AC', 'IC']) {
      expect(ISO_3166_ALPHA2_SET.has(code)).toBe(false);
    }
  });
});

describe('country properties', () => {
  it('accepts a two-letter text exactly when it is listed, XK, or UK', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z]{2}$/), (raw) => {
        const upper = raw.toUpperCase();
        const expected = ISO_3166_ALPHA2_SET.has(upper) || upper === 'UK' || upper === 'XK';
        expect(parseCountry(raw).ok).toBe(expected);
      }),
    );
  });
});
