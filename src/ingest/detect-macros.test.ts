import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectMacro, MACRO_EXAMPLES } from './detect-macros.js';

/** A macro name as platforms write them: a letter, then letters, digits or underscores. */
const macroName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,23}$/);

/** Text around a macro that can neither form a macro itself nor merge with one. */
const plainAround = fc.stringMatching(/^[A-Za-z0-9_.@-]{0,12}$/);

const WRAPPERS: readonly { shape: string; wrap: (name: string) => string }[] = [
  { shape: '{…}', wrap: (name) => `{${name}}` },
  { shape: '{{…}}', wrap: (name) => `{{${name}}}` },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal macro text is the point
  { shape: '${…}', wrap: (name) => `\${${name}}` },
  { shape: '[[…]]', wrap: (name) => `[[${name}]]` },
  { shape: '[…]', wrap: (name) => `[${name}]` },
  { shape: '#…#', wrap: (name) => `#${name}#` },
];

describe('detectMacro examples', () => {
  it.each(MACRO_EXAMPLES.filter((e) => e.expected !== null))(
    'detects $why: $input',
    ({ input, expected }) => {
      expect(detectMacro(input)).toBe(expected);
    },
  );

  it.each(MACRO_EXAMPLES.filter((e) => e.expected === null))('does not flag $why: $input', ({ input }) => {
    expect(detectMacro(input)).toBeNull();
  });

  it('the example table has no duplicate inputs', () => {
    const inputs = MACRO_EXAMPLES.map((e) => e.input);
    expect(new Set(inputs).size).toBe(inputs.length);
  });
});

describe('detectMacro angle brackets', () => {
  it('flags <name> only when the caller opts in', () => {
    expect(detectMacro('<bannerid>')).toBeNull();
    expect(detectMacro('<bannerid>', { angleBrackets: true })).toBe('<bannerid>');
    expect(detectMacro('%3Corderid%3E', { angleBrackets: true })).toBe('%3Corderid%3E');
  });

  it('still ignores angle text that is no macro name when opted in', () => {
    expect(detectMacro('a <b', { angleBrackets: true })).toBeNull();
    expect(detectMacro('<1>', { angleBrackets: true })).toBeNull();
  });

  it('keeps reporting the other shapes when opted in', () => {
    expect(detectMacro('x{sub1}', { angleBrackets: true })).toBe('{sub1}');
  });
});

describe('detectMacro properties', () => {
  for (const { shape, wrap } of WRAPPERS) {
    it(`detects any macro name wrapped in ${shape} and returns the wrapped text`, () => {
      fc.assert(
        fc.property(macroName, (name) => {
          expect(detectMacro(wrap(name))).toBe(wrap(name));
        }),
      );
    });

    it(`finds a ${shape} macro between plain text`, () => {
      fc.assert(
        fc.property(plainAround, macroName, plainAround, (before, name, after) => {
          expect(detectMacro(`${before}${wrap(name)}${after}`)).toBe(wrap(name));
        }),
      );
    });

    it(`finds a ${shape} macro still percent-encoded once or twice, reported as encoded`, () => {
      fc.assert(
        fc.property(macroName, fc.boolean(), (name, twice) => {
          const once = encodeURIComponent(wrap(name));
          const encoded = twice ? encodeURIComponent(once) : once;
          expect(detectMacro(encoded)).toBe(encoded);
        }),
      );
    });
  }

  it('detects any alphanumeric id, even digit-first, in double braces or a JS template: neither occurs in JSON', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,24}$/), (id) => {
        expect(detectMacro(`{{${id}}}`)).toBe(`{{${id}}}`);
        expect(detectMacro(`\${${id}}`)).toBe(`\${${id}}`);
      }),
    );
  });

  it('does not flag a number in single braces, brackets, double brackets or hashes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9][A-Za-z0-9]{0,12}$/), (id) => {
        for (const text of [`{${id}}`, `[${id}]`, `[[${id}]]`, `#${id}#`]) {
          expect(detectMacro(text)).toBeNull();
        }
      }),
    );
  });

  it('never flags a plain alphanumeric id', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{1,40}$/).filter((id) => id !== 'REPLACE' && id !== 'OPTIONAL'),
        (id) => {
          expect(detectMacro(id)).toBeNull();
        },
      ),
    );
  });

  it('never flags text without braces, brackets, hashes or percent signs (bar the template words)', () => {
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 60 })
          .filter((s) => !/[{}[\]#%]/.test(s) && !/^\s*(REPLACE|OPTIONAL)\s*$/.test(s)),
        (text) => {
          expect(detectMacro(text)).toBeNull();
        },
      ),
    );
  });

  it('never throws on any text, and reports only text the value contains', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const found = detectMacro(text);
        if (found !== null) expect(text).toContain(found);
      }),
    );
  });

  it('reports a macro that is itself detected as a whole, on text dense in macro characters', () => {
    const unit = fc.constantFrom(...'%257BDdb35{}[]#$_ax:.1"'.split(''));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        const found = detectMacro(text);
        if (found !== null) {
          expect(text).toContain(found);
          expect(detectMacro(found)).toBe(found);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
