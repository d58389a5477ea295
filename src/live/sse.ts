/**
 * Server-Sent Events framing (the WHATWG `text/event-stream` format): messages with an event
 * name, an id (the client's Last-Event-ID on reconnect) and JSON data; comments as heartbeats;
 * the reconnect delay hint. Pure text; writing it anywhere is the caller's business.
 */

export interface SseMessage {
  event: string;
  id?: number;
  data: unknown;
}

export function sseMessage(m: SseMessage): string {
  const lines = [`event: ${m.event}`];
  if (m.id !== undefined) lines.push(`id: ${m.id}`);
  // JSON.stringify never emits a raw line break, but a frame must stay one message whatever it holds.
  for (const line of JSON.stringify(m.data).split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.round(ms))}\n\n`;
}

/** A Last-Event-ID header (or `last_event_id` parameter) as an event id; anything else is none. */
export function parseLastEventId(value: unknown): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}
