import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Cell, csvLine, csvLines, safeCell } from './csv-line.js';

/** The reference: csv-stringify with its defaults, cells made safe first, booleans as 1/0. */
const reference = (rows: Cell[][]): string =>
  stringify(
    rows.map((r) => r.map(safeCell)),
    { cast: { boolean: (b) => (b ? '1' : '0') } },
  );

/** Text that often holds what CSV and spreadsheets treat specially. */
const trickyText = fc.oneof(
  fc.string({
    unit: fc.constantFrom(',', '"', '\n', '\r', '=', '+', '-', '@', '\t', "'", ' ', 'a', 'é', '💶'),
  }),
  fc.string({ unit: 'grapheme' }),
  fc.string(),
);
const cell: fc.Arbitrary<Cell> = fc.oneof(
  trickyText,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

describe('csvLine', () => {
  it('writes every record exactly as csv-stringify does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (rows) => {
          expect(csvLines(rows)).toBe(reference(rows));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('quotes commas, quotes, CR and LF, doubling inner quotes, and leaves other text bare', () => {
    expect(csvLine(['a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', 'naïve café 💶', 'plain', ''])).toBe(
      '"a,b","say ""hi""","line\nbreak","cr\rhere",naïve café 💶,plain,\n',
    );
  });

  it('defuses formulas with a leading apostrophe, also when the cell then needs quotes', () => {
    expect(csvLine(['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '\rx', '=HYPERLINK("x","y")'])).toBe(
      `'=1+1,'+SUM(A1),'-2,'@cmd,'\tx,"'\rx","'=HYPERLINK(""x"",""y"")"\n`,
    );
  });

  it('writes numbers as they print (negative numbers stay numbers), null as empty, booleans as 1/0', () => {
    expect(csvLine([-5, 0, 12.5, null, true, false])).toBe('-5,0,12.5,,1,0\n');
  });
});
