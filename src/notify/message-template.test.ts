import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  DEFAULT_TEMPLATE,
  type MessageEvent,
  renderMessage,
  SAMPLE_EVENT,
  TemplateError,
} from './message-template.js';
import { parseTelegramHtml, TELEGRAM_TEXT_LIMIT } from './telegram-html.js';

const ctx = { botName: 'Ops <bot>' };

const HOSTILE = [
  '<a href="https://evil.example/login">Claim bonus</a>',
  '</code><b>bold</b><code>',
  '&lt;b&gt;not a tag&lt;/b&gt;',
  'https://evil.example/phish',
  '@everyone /start #hashtag $USD',
  '{type}{brand}{{id}}',
  '<tg-spoiler>x</tg-spoiler>',
  '"><img src=x onerror=alert(1)>',
  '\u202Ereversed\u200B',
  '&',
];

function withValues(value: string): MessageEvent {
  return {
    ...SAMPLE_EVENT,
    rawEvent: value,
    brand: value,
    affiliateId: value,
    subId: value,
    externalUid: value,
    transactionId: value,
    trackingTag: value,
    trafficSource: value,
    sender: value,
    sheet: value,
    brokenMacro: value,
  };
}

describe('compileTemplate', () => {
  it('accepts the default template', () => {
    expect(() => compileTemplate(DEFAULT_TEMPLATE)).not.toThrow();
  });

  it.each([
    ['{nope}', 'unknown placeholder {nope}'],
    ['<a href="{tracking_tag}">x</a>', 'inside a tag'],
    ['<b>{type}', 'never closed'],
    ['a & b {type}', 'bare "&"'],
    ['   ', 'empty'],
    ['x'.repeat(2001), 'longer than 2000'],
  ])('refuses %s', (template, message) => {
    expect(() => compileTemplate(template)).toThrow(TemplateError);
    expect(() => compileTemplate(template)).toThrow(message);
  });

  it('reads {{ and }} as literal braces', () => {
    const html = renderMessage(compileTemplate('{{type}} = {type}'), SAMPLE_EVENT, ctx);
    expect(html).toBe('{type} = FTD');
  });
});

describe('renderMessage', () => {
  const template = compileTemplate(
    '<b>{type}</b> {brand} <code>{tracking_tag}</code> <a href="https://panel.example">{sub_id}</a> {bot} {raw_event}',
  );

  it.each(HOSTILE)('keeps the hostile value %j as text: no tag, link or entity of its own', (value) => {
    const html = renderMessage(template, withValues(value), ctx);
    const parsed = parseTelegramHtml(html);
    expect(parsed.ok, html).toBe(true);
    if (!parsed.ok) return;
    // Only the template's own entities, plus <code> around the free-text values outside code/links.
    expect(parsed.entities.map((e) => e.type)).toEqual(['bold', 'code', 'code', 'text_link', 'code']);
    expect(parsed.entities.filter((e) => e.type === 'text_link').map((e) => e.url)).toEqual([
      'https://panel.example',
    ]);
    // The reader sees the value verbatim, and never a substituted placeholder from inside a value.
    expect(parsed.text).toBe(`FTD ${value} ${value} ${value} Ops <bot> ${value}`);
  });

  it('sets every free-text value in <code> outside code and links, so nothing becomes a link', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (value) => {
        const html = renderMessage(compileTemplate(DEFAULT_TEMPLATE), withValues(value), ctx);
        const parsed = parseTelegramHtml(html);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.entities.some((e) => e.type === 'text_link')).toBe(false);
        expect(parsed.entities.every((e) => e.type === 'bold' || e.type === 'code')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('shows a dash for a missing field and nothing for {test_mark} on a live event', () => {
    const html = renderMessage(compileTemplate('{test_mark}{sub_id}|{sheet}'), SAMPLE_EVENT, ctx);
    expect(html).toBe('<code>sub-7</code>|—');
    expect(renderMessage(compileTemplate('{test_mark}x'), { ...SAMPLE_EVENT, isTest: true }, ctx)).toBe(
      '🧪 TEST x',
    );
  });

  it('stays within 4096 visible characters however long the values are', () => {
    const many = compileTemplate(Array.from({ length: 40 }, () => '{tracking_tag}').join(' '));
    const html = renderMessage(many, withValues('x'.repeat(255)), ctx);
    const parsed = parseTelegramHtml(html);
    expect(parsed.ok && parsed.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(html).toContain('…');
  });
});
