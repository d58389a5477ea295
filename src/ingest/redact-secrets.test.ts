import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactBody, redactJson, redactParams, storableText } from './redact-secrets.js';

describe('redactParams', () => {
  it.each([
    ['key=abc&event=ftd', 'key=***&event=ftd'],
    ['event=ftd&KEY=abc', 'event=ftd&KEY=***'],
    ['%6Bey=abc&a=1', '%6Bey=***&a=1'],
    ['K%65Y=abc', 'K%65Y=***'],
    ['+key=abc', '+key=***'],
    ['%20key=abc', '%20key=***'],
    ['api_key=abc&secret=def', 'api_key=***&secret=***'],
    ['key', 'key=***'],
    ['monkey=abc&keys=1', 'monkey=abc&keys=1'],
    ['%ZZ=1&key=abc', '%ZZ=1&key=***'],
  ])('redacts %s as %s', (input, expected) => {
    expect(redactParams(input)).toBe(expected);
  });
});

describe('redactJson', () => {
  it('replaces key values found by their decoded name, including escaped names', () => {
    expect(JSON.parse(redactJson('{"k\\u0065y":"abc","event":"ftd"}'))).toEqual({ key: '***', event: 'ftd' });
    expect(JSON.parse(redactJson('{"Secret":"abc"}'))).toEqual({ Secret: '***' });
  });

  it('leaves bodies without a key, and unparsable bodies, exactly as received', () => {
    expect(redactJson('{ "event" : "ftd" }')).toBe('{ "event" : "ftd" }');
    expect(redactJson('{broken')).toBe('{broken');
    expect(redactJson('{"key":"abc","event":')).toBe('{"key":"***","event":');
    expect(redactJson('{"KEY": "abc')).toBe('{"KEY": "***"');
    expect(redactJson('[1,2]')).toBe('[1,2]');
  });
});

describe('redactBody', () => {
  it('chooses JSON or form redaction by content type', () => {
    expect(redactBody('key=abc', 'application/x-www-form-urlencoded')).toBe('key=***');
    expect(redactBody('{"key":"abc"}', 'application/json; charset=utf-8')).toBe('{"key":"***"}');
    expect(redactBody(null, 'application/json')).toBeNull();
  });
});

describe('storableText', () => {
  it('replaces NUL characters and keeps everything else', () => {
    expect(storableText('a\0b\0')).toBe('a\uFFFDb\uFFFD');
    expect(storableText('ünïcode <b>')).toBe('ünïcode <b>');
    expect(storableText(null)).toBeNull();
  });
});

/** The redaction as first written (split, decode each name, join): what the one-walk version must equal. */
function referenceRedact(text: string): string {
  if (text === '') return text;
  const keyNames = new Set(['key', 'api_key', 'secret']);
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name: string | null;
      try {
        name = decodeURIComponent(rawName.replaceAll('+', ' ')).trim().toLowerCase();
      } catch {
        name = null;
      }
      return name !== null && keyNames.has(name) ? `${rawName}=***` : pair;
    })
    .join('&');
}

describe('redactParams, against the split-and-join definition', () => {
  const piece = fc.constantFrom(
    '&',
    '&',
    '=',
    'key',
    'KEY',
    'api_key',
    'secret',
    '%6B',
    '%6b',
    'ey',
    '+',
    ' ',
    '%20',
    '%',
    '%ZZ',
    '%C3',
    'abc',
    '\0',
    'é',
  );
  it('gives the same text for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')),
          fc.string({ unit: 'binary', maxLength: 40 }),
        ),
        (text) => {
          expect(redactParams(text)).toBe(referenceRedact(text));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
