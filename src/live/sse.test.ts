import { describe, expect, it } from 'vitest';
import { parseLastEventId, sseComment, sseMessage, sseRetry } from './sse.js';

describe('sse framing', () => {
  it('writes a message as event, id and one data line of JSON, ended by a blank line', () => {
    expect(sseMessage({ event: 'events', id: 42, data: { rows: [{ id: 42 }] } })).toBe(
      'event: events\nid: 42\ndata: {"rows":[{"id":42}]}\n\n',
    );
  });

  it('keeps text with line breaks inside one message', () => {
    const frame = sseMessage({ event: 'x', data: 'a\nb' });
    expect(frame).toBe('event: x\ndata: "a\\nb"\n\n');
    expect(frame.split('\n\n')).toHaveLength(2);
  });

  it('writes comments on one line and the retry hint in whole milliseconds', () => {
    expect(sseComment('ping\nevent: fake')).toBe(': ping event: fake\n\n');
    expect(sseRetry(2999.6)).toBe('retry: 3000\n\n');
  });

  it('reads a Last-Event-ID only when it is a plain number', () => {
    expect(parseLastEventId('123')).toBe(123);
    expect(parseLastEventId([' 7 '])).toBe(7);
    expect(parseLastEventId('-1')).toBeNull();
    expect(parseLastEventId('1e3')).toBeNull();
    expect(parseLastEventId('9999999999999999')).toBeNull();
    expect(parseLastEventId(undefined)).toBeNull();
  });
});
