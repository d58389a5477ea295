import { describe, expect, it } from 'vitest';
import { digestCount, digestText } from './digest.js';
import { parseTelegramHtml } from './telegram-html.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('digestText', () => {
  it('reads "37 more REG for britsino in the last 2 min" for one group', () => {
    const items = Array.from({ length: 37 }, (_, i) => ({
      kind: 'event' as const,
      type: 'REG',
      brand: 'britsino',
      since: NOW - 100_000 + i,
    }));
    const text = digestText(items, NOW);
    expect(text).toBe('📦 37 more REG for <code>britsino</code> in the last 2 min');
    expect(parseTelegramHtml(text)).toMatchObject({
      ok: true,
      text: '📦 37 more REG for britsino in the last 2 min',
    });
    expect(digestCount(text)).toBe(37);
  });

  it('lists several groups, largest first, under one total', () => {
    const text = digestText(
      [
        { kind: 'event', type: 'FTD', brand: 'spinbet', since: NOW - 5000 },
        { kind: 'event', type: 'REG', brand: 'britsino', since: NOW - 4000 },
        { kind: 'event', type: 'REG', brand: 'britsino', since: NOW - 3000 },
        { kind: 'alert', since: NOW - 2000 },
      ],
      NOW,
    );
    expect(text).toBe(
      [
        '📦 4 more notifications in the last 5 s:',
        '• 2 REG for <code>britsino</code>',
        '• 1 FTD for <code>spinbet</code>',
        '• 1 alert',
      ].join('\n'),
    );
    expect(digestCount(text)).toBe(4);
  });

  it('keeps a hostile brand as text', () => {
    const text = digestText(
      [{ kind: 'event', type: 'REG', brand: '</code><a href="https://x.y">z</a>', since: NOW }],
      NOW,
    );
    const parsed = parseTelegramHtml(text);
    expect(parsed.ok && parsed.entities.map((e) => e.type)).toEqual(['code']);
  });
});
