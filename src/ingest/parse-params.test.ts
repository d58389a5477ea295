import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeComponent, type Params, parseParams } from './parse-params.js';
import { accept, reject, type StepResult } from './step.js';

/**
 * The parser as it was written first (split, then decode every part): the definition the
 * in-place walk and the skipped decoding of plain text must keep to, answer for answer.
 */
function referenceParse(text: string, into: Params = new Map()): StepResult<Params> {
  const decode = (part: string): string | null => {
    try {
      return decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      return null;
    }
  };
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
    const list = into.get(key);
    if (list) list.push(value);
    else into.set(key, [value]);
  }
  return accept(into);
}

/** Pieces that make the parser's every branch likely: separators, escapes good and bad, NUL, case. */
const piece = fc.constantFrom(
  '&',
  '&',
  '=',
  '=',
  'key',
  'KEY',
  'Event',
  'brand',
  'amount',
  'x',
  '1',
  '+',
  ' ',
  '%20',
  '%2B',
  '%26',
  '%3D',
  '%',
  '%2',
  '%ZZ',
  '%00',
  '\0',
  '%C3%A9',
  '%C3',
  '%E2%82%AC',
  '%ED%A0%80',
  'é',
  '\uD800',
  '[afp]',
);
const queryText = fc.oneof(
  fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('parseParams', () => {
  it('answers exactly as the split-then-decode parser, for any text and any parameters already held', () => {
    fc.assert(
      fc.property(queryText, queryText, (query, body) => {
        const held = parseParams(query);
        const heldReference = referenceParse(query);
        expect(held).toEqual(heldReference);
        // A form body is parsed into the parameters the query string gave.
        if (!held.ok || !heldReference.ok) return;
        expect(parseParams(body, held.value)).toEqual(referenceParse(body, heldReference.value));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['', {}],
    ['a=1&&b=2&', { a: ['1'], b: ['2'] }],
    ['A=1&a=2&+a+=3', { a: ['1', '2', '3'] }],
    ['flag&x=', { flag: [''], x: [''] }],
    ['x=a=b', { x: ['a=b'] }],
    ['=1&%20=2', {}],
    ['n=%C3%A9+%2B', { n: ['é +'] }],
  ])('parses %j', (text, expected) => {
    const parsed = parseParams(text);
    expect(parsed.ok && Object.fromEntries(parsed.value)).toEqual(expected);
  });

  it.each([
    ['%ZZ=1', 'invalid percent-encoding in a parameter name', undefined],
    ['amount=%E2%82', 'invalid percent-encoding in parameter amount', 'amount'],
    ['u=%00', 'NUL byte in parameter u', 'u'],
  ])('refuses %j', (text, reason, field) => {
    expect(parseParams(text)).toEqual(reject('invalid_encoding', reason, field));
  });
});

describe('decodeComponent', () => {
  it('equals decodeURIComponent after + -> space, null where that throws', () => {
    fc.assert(
      fc.property(queryText, (text) => {
        let expected: string | null;
        try {
          expected = decodeURIComponent(text.replaceAll('+', ' '));
        } catch {
          expected = null;
        }
        expect(decodeComponent(text)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
