/**
 * Broken-tag detection: does a postback value still hold a macro the network never substituted
 * (`{clickid}`, `{{sub1}}`, `[afp]`, `#s2#`, `%7Bsub1%7D`, a bare `REPLACE`, …)? The caller has
 * already percent-decoded the value once; anything still encoded is decoded here, only to look.
 * Pure, never throws. It must never flag ordinary ids, JSON, HTML-like `<…>` text (unless asked),
 * a lone `#`, numeric or empty brackets, e-mail addresses or percent signs: a false positive marks
 * a good conversion as broken.
 *
 * What counts as a macro (shapes from shared/spec/postback-formats.md, "Detection advice"):
 * - `${…}` (JS template) and `{{…}}` (double-brace platforms, template engines) around any
 *   non-blank text that does not start with a quote: `${clickId}`, `{{ click_id }}`;
 * - `{name}` where name is `[A-Za-z_][\w.]*`: `{clickid}`, `{_subid}`, `{url.cid}`; a Keitaro
 *   argument part after a colon is included: `{status:lead=0 sale=1}`, `{date:Y-m-d,UTC}`;
 * - `[[name…]]` (the text starting with a letter or `_`) and `[name]` (`[A-Za-z_]\w*`):
 *   `[[tid]]`, `[CLICK_ID]`, `[afp]`;
 * - `#name#` (`[A-Za-z_]\w*`, CAKE style): `#s2#`, `#clickid#`;
 * - any of the above still percent-encoded, once or several times (`%7Bsub1%7D`,
 *   `%257Bsub1%257D`, `%24%7BclickId%7D`, `%23s2%23`); the text reported is then the encoded
 *   text exactly as it stands in the value, so it can be found in the stored value;
 * - a whole value that is exactly `REPLACE` or `OPTIONAL` (Voluum / BeMob template words, case
 *   sensitive, surrounding ASCII whitespace ignored).
 *
 * Deliberately not a macro:
 * - a brace or bracket followed by a quote or a digit, or holding nothing: `{"a":1}`, `{}`,
 *   `[1]`, `[]`, `[[1,2]]`, `{{}}`, `${}`; a JSON document is not a macro, though a macro
 *   inside a JSON string is (`{"cid":"{clickid}"}` reports `{clickid}`);
 * - a single-brace name containing `-` or spaces: `{3F2504E0-4F89-11D3-9A0C-0305E82C3301}`
 *   (a registry-style GUID, a legitimate player id) and `{ clickid }`;
 * - `#` alone, `#1`, `#1#`, `C#`; `<script>`, `<bannerid>` (angle brackets overlap with HTML;
 *   a caller may opt in with `{ angleBrackets: true }`);
 * - `50%`, `100%25`, e-mail addresses, URLs without a macro in them.
 */

export interface DetectMacroOptions {
  /** Also treat `<name>` as a macro (angle-bracket pixels). Off by default: it overlaps with HTML. */
  angleBrackets?: boolean;
}

const MACRO_SHAPES: readonly string[] = [
  String.raw`\$\{\s*[^\s{}][^{}]*\}`, // ${clickId}
  String.raw`\{\{\s*[^\s{}"'][^{}]*\}\}`, // {{sub1}}, {{ click_id }}
  String.raw`\{[A-Za-z_][\w.]*(?::[^{}]*)?\}`, // {clickid}, {url.cid}, {status:lead=0 sale=1}
  String.raw`\[\[\s*[A-Za-z_][^[\]]*\]\]`, // [[tid]]
  String.raw`\[[A-Za-z_]\w*\]`, // [afp], [CLICK_ID]
  String.raw`#[A-Za-z_]\w*#`, // #s2#
];
const ANGLE_SHAPE = String.raw`<[A-Za-z_]\w*>`;

// Alternatives are tried in order at each position, so `${x}` wins over `{x}` and `[[x]]` over `[x]`.
const MACRO_RE = new RegExp(MACRO_SHAPES.join('|'));
const MACRO_OR_ANGLE_RE = new RegExp([...MACRO_SHAPES, ANGLE_SHAPE].join('|'));

/** Characters without which no macro shape can match, raw or percent-encoded. */
const MAYBE_MACRO_RE = /[{[#%<]/;

const TEMPLATE_WORDS: ReadonlySet<string> = new Set(['REPLACE', 'OPTIONAL']);

/** One percent escape, possibly re-encoded any number of times: `%7B`, `%257B`, `%25257B`. */
const ESCAPE_RE = /%(?:25)*([0-9A-Fa-f]{2})/y;

interface DecodedText {
  text: string;
  /** For each character of `text`, where it starts and ends in the original value. */
  starts: number[];
  ends: number[];
}

/**
 * Decodes every ASCII percent escape (however often re-encoded), keeping for each decoded
 * character the span of the original value it came from. Non-ASCII escapes and a `%` that starts
 * no escape are kept as they are: they can never be part of a macro.
 */
function decodeDeep(value: string): DecodedText {
  const starts: number[] = [];
  const ends: number[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.charCodeAt(i) === 0x25) {
      ESCAPE_RE.lastIndex = i;
      const hex = ESCAPE_RE.exec(value)?.[1];
      const code = hex === undefined ? -1 : Number.parseInt(hex, 16);
      if (code >= 0 && code < 0x80) {
        text += String.fromCharCode(code);
        starts.push(i);
        ends.push(ESCAPE_RE.lastIndex);
        i = ESCAPE_RE.lastIndex;
        continue;
      }
    }
    text += value.charAt(i);
    starts.push(i);
    ends.push(i + 1);
    i += 1;
  }
  return { text, starts, ends };
}

/**
 * Returns the first unsubstituted macro a value holds, as it is written in the value
 * (`{sub1}`, `%7Bsub1%7D`, `REPLACE`), or null when there is none.
 */
export function detectMacro(value: string, options: DetectMacroOptions = {}): string | null {
  if (!MAYBE_MACRO_RE.test(value)) {
    // Only the template words are left to find, and they hold none of those characters; the
    // shortest is 7 long, so most values need no trimming at all.
    if (value.length < 7) return null;
    const trimmed = value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    return TEMPLATE_WORDS.has(trimmed) ? trimmed : null;
  }

  const re = options.angleBrackets === true ? MACRO_OR_ANGLE_RE : MACRO_RE;
  if (!value.includes('%')) return re.exec(value)?.[0] ?? null;

  const decoded = decodeDeep(value);
  const match = re.exec(decoded.text);
  if (match === null) return null;
  const start = decoded.starts[match.index];
  const end = decoded.ends[match.index + match[0].length - 1];
  if (start === undefined || end === undefined) return match[0];
  return value.slice(start, end);
}

export interface MacroExample {
  input: string;
  /** The macro detectMacro must report, or null when the value must not be flagged. */
  expected: string | null;
  /** Why: shown as the test name. */
  why: string;
}

/** The behaviour of detectMacro as a table, for its own tests and for any test that needs samples. */
export const MACRO_EXAMPLES: readonly MacroExample[] = [
  // Detected, as written.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal macro text is the point
  { input: '${clickId}', expected: '${clickId}', why: 'JS template literal (the Broken Tags example)' },
  { input: '{{sub1}}', expected: '{{sub1}}', why: 'double braces (RapidPace, template engines)' },
  { input: '{{ click_id }}', expected: '{{ click_id }}', why: 'double braces with inner spaces' },
  { input: '{{{sub1}}}', expected: '{{sub1}}', why: 'triple braces report the double-brace macro inside' },
  { input: '{clickid}', expected: '{clickid}', why: 'single-brace macro (Affise, Everflow, Binom)' },
  { input: '{transaction_id}', expected: '{transaction_id}', why: 'single-brace macro with underscore' },
  { input: '{_subid}', expected: '{_subid}', why: 'Keitaro raw-value macro' },
  { input: '{url.cid}', expected: '{url.cid}', why: 'dotted name (iGaming Keitaro template)' },
  { input: '{payout.sum}', expected: '{payout.sum}', why: 'dotted name' },
  {
    input: '{status:lead=0 sale=1}',
    expected: '{status:lead=0 sale=1}',
    why: 'Keitaro value-map form, arguments included',
  },
  { input: '{date:Y-m-d,UTC}', expected: '{date:Y-m-d,UTC}', why: 'Keitaro macro with format arguments' },
  { input: '{{123}}', expected: '{{123}}', why: 'double braces around anything: never JSON' },
  { input: '[[tid]]', expected: '[[tid]]', why: 'double square brackets' },
  { input: '[CLICK_ID]', expected: '[CLICK_ID]', why: 'square-bracket token, upper case' },
  { input: '[afp]', expected: '[afp]', why: 'Cellxpert square-bracket token' },
  { input: '[SUB1]', expected: '[SUB1]', why: 'square-bracket token with a digit' },
  { input: '#clickid#', expected: '#clickid#', why: 'CAKE-style hash macro' },
  { input: '#s2#', expected: '#s2#', why: 'CAKE-style hash macro with a digit' },
  {
    input: '%7Bsub1%7D',
    expected: '%7Bsub1%7D',
    why: 'still percent-encoded braces (encoded twice by the sender)',
  },
  { input: '%7bsub1%7d', expected: '%7bsub1%7d', why: 'still-encoded braces in lower-case hex' },
  { input: '%7Bsubacc4%7D', expected: '%7Bsubacc4%7D', why: 'the Keitaro log example' },
  { input: '%5BSUB1%5D', expected: '%5BSUB1%5D', why: 'still-encoded square brackets' },
  {
    input: '%257Bsub1%257D',
    expected: '%257Bsub1%257D',
    why: 'encoded three times: %25 decoded as often as needed',
  },
  { input: '%24%7BclickId%7D', expected: '%24%7BclickId%7D', why: 'still-encoded JS template literal' },
  { input: '%23s2%23', expected: '%23s2%23', why: 'still-encoded hash macro' },
  { input: '%5B%5Btid%5D%5D', expected: '%5B%5Btid%5D%5D', why: 'still-encoded double square brackets' },
  {
    input: '%7Bstatus%3Alead%3D0%7D',
    expected: '%7Bstatus%3Alead%3D0%7D',
    why: 'still-encoded Keitaro value map',
  },
  { input: 'REPLACE', expected: 'REPLACE', why: 'Voluum/BeMob placeholder never replaced' },
  { input: 'OPTIONAL', expected: 'OPTIONAL', why: 'Voluum/BeMob optional placeholder never replaced' },
  { input: ' REPLACE ', expected: 'REPLACE', why: 'template word with surrounding spaces' },
  { input: 'aff42_{sub2}_x', expected: '{sub2}', why: 'macro inside a longer value' },
  { input: '{sub1}_[afp]', expected: '{sub1}', why: 'the first of several macros' },
  { input: 'x[afp]{sub1}', expected: '[afp]', why: 'the first of several macros, by position' },
  { input: '{"cid":"{clickid}"}', expected: '{clickid}', why: 'a macro inside JSON text' },
  { input: 'https://t.example/c?cid={clickid}', expected: '{clickid}', why: 'a macro inside a URL' },
  // Not a macro.
  { input: '', expected: null, why: 'empty value' },
  { input: '#', expected: null, why: 'a lone hash' },
  { input: '#1', expected: null, why: 'hash and a number' },
  { input: '#1#', expected: null, why: 'hash-wrapped number: a macro name starts with a letter' },
  { input: 'C#', expected: null, why: 'a language name' },
  { input: '<script>', expected: null, why: 'angle brackets are HTML unless a source opts in' },
  { input: '<bannerid>', expected: null, why: 'angle-bracket pixel macro is off by default' },
  { input: 'abc-123_X.9', expected: null, why: 'plain id' },
  { input: 'abc123', expected: null, why: 'plain alphanumeric id' },
  { input: '{"a":1}', expected: null, why: 'JSON: a brace followed by a quote is not a macro name' },
  { input: '%7B%22a%22%3A1%7D', expected: null, why: 'percent-encoded JSON' },
  { input: '{}', expected: null, why: 'empty braces' },
  { input: '{{}}', expected: null, why: 'empty double braces' },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal macro text is the point
  { input: '${}', expected: null, why: 'empty template literal' },
  { input: '{ clickid }', expected: null, why: 'single braces with spaces inside' },
  {
    input: '{3F2504E0-4F89-11D3-9A0C-0305E82C3301}',
    expected: null,
    why: 'registry-style GUID in braces (a legitimate id)',
  },
  { input: '{123}', expected: null, why: 'a number in single braces: a macro name starts with a letter' },
  { input: '[[123]]', expected: null, why: 'a number in double brackets (a JSON nested array)' },
  { input: '[1]', expected: null, why: 'numeric brackets' },
  { input: '[]', expected: null, why: 'empty brackets' },
  { input: '[[1,2],[3]]', expected: null, why: 'JSON nested array' },
  { input: '[[]]', expected: null, why: 'empty double brackets' },
  { input: 'http://[::1]:8080/x', expected: null, why: 'IPv6 literal in a URL' },
  { input: 'john.doe+aff@example.com', expected: null, why: 'e-mail address' },
  { input: 'https://example.com/landing?a=1&b=2#top', expected: null, why: 'URL without a macro' },
  { input: '50%', expected: null, why: 'a percentage' },
  { input: '100%25', expected: null, why: 'an encoded percent sign' },
  { input: '%E2%82%AC12', expected: null, why: 'non-ASCII percent escapes' },
  { input: 'replace', expected: null, why: 'template words are upper case only' },
  { input: 'REPLACE_ME', expected: null, why: 'only the exact template words count' },
];
