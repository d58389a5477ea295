import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeTelegramHtml, parseTelegramHtml } from './telegram-html.js';

describe('escapeTelegramHtml', () => {
  it('turns any string into plain text that parses back to itself, with no entity', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const parsed = parseTelegramHtml(escapeTelegramHtml(value));
        expect(parsed).toEqual({ ok: true, text: value, entities: [] });
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['<a href="https://evil.example">x</a>', '&lt;a href=&quot;https://evil.example&quot;&gt;x&lt;/a&gt;'],
    ['&amp;', '&amp;amp;'],
    ['</code><b>', '&lt;/code&gt;&lt;b&gt;'],
  ])('escapes %s', (value, escaped) => {
    expect(escapeTelegramHtml(value)).toBe(escaped);
  });
});

describe('parseTelegramHtml', () => {
  it('reads supported tags as entities over the visible text', () => {
    const parsed = parseTelegramHtml(
      '<b>FTD</b> for <code>brit&amp;sino</code> <a href="https://x.io">here</a>',
    );
    expect(parsed).toEqual({
      ok: true,
      text: 'FTD for brit&sino here',
      entities: [
        { type: 'bold', offset: 0, length: 3 },
        { type: 'code', offset: 8, length: 9 },
        { type: 'text_link', offset: 18, length: 4, url: 'https://x.io' },
      ],
    });
  });

  it.each([
    ['<b>open', 'never closed'],
    ['</b>', 'unexpected'],
    ['<b><i>x</b></i>', 'unexpected'],
    ['<script>x</script>', 'unsupported tag'],
    ['a & b', 'bare "&"'],
    ['a < b', 'unclosed "<"'],
    ['a < b > c', 'malformed tag'],
    ['a > b', 'bare ">"'],
    ['<code><b>x</b></code>', 'cannot be inside'],
    ['<a href="javascript:alert(1)">x</a>', 'href'],
    ['<b onclick="x">y</b>', 'attribute onclick'],
    ['&#0;', 'bare "&"'],
  ])('refuses %s like Telegram would', (html, error) => {
    const parsed = parseTelegramHtml(html);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(error);
  });
});
