/**
 * The digest: one message standing for many deliveries a chat could not get one by one in time,
 * e.g. "📦 37 more REG for britsino in the last 2 min". Grouped by event type × brand (alerts and
 * test messages by their kind), largest first. Brands are escaped and set in <code> like any
 * free-text value. Pure: no I/O.
 */
import { escapeTelegramHtml } from './telegram-html.js';

export interface DigestItem {
  kind: 'event' | 'alert' | 'test';
  /** For events: type and brand; ignored otherwise. */
  type?: string;
  brand?: string;
  /** When the (oldest) delivery's event reached us, or the alert was raised. */
  since: number;
  /** How many deliveries this item stands for (1 when absent). */
  count?: number;
}

const MAX_LINES = 30;

function span(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 2 * 3600_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${Math.round(ms / 3600_000)} h`;
}

function label(item: DigestItem): { key: string; text: (n: number) => string } {
  if (item.kind === 'alert') return { key: 'alert', text: (n) => (n === 1 ? 'alert' : 'alerts') };
  if (item.kind === 'test') return { key: 'test', text: (n) => (n === 1 ? 'test message' : 'test messages') };
  const type = item.type ?? '?';
  const brand = item.brand ?? '?';
  return {
    key: `${type}\u0001${brand}`,
    text: () => `${escapeTelegramHtml(type)} for <code>${escapeTelegramHtml(brand)}</code>`,
  };
}

/** The digest text for `items` (single deliveries or groups of them; at least one), sent at `now`. */
export function digestText(items: readonly DigestItem[], now: number): string {
  const groups = new Map<string, { count: number; text: (n: number) => string }>();
  let oldest = now;
  let total = 0;
  for (const item of items) {
    const { key, text } = label(item);
    const group = groups.get(key) ?? { count: 0, text };
    group.count += item.count ?? 1;
    total += item.count ?? 1;
    groups.set(key, group);
    oldest = Math.min(oldest, item.since);
  }
  const window = `in the last ${span(now - oldest)}`;
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  const only = sorted[0];
  if (sorted.length === 1 && only) return `📦 ${only.count} more ${only.text(only.count)} ${window}`;
  const lines = sorted.slice(0, MAX_LINES).map((g) => `• ${g.count} ${g.text(g.count)}`);
  const rest = sorted.slice(MAX_LINES);
  if (rest.length > 0) {
    const n = rest.reduce((sum, g) => sum + g.count, 0);
    lines.push(`• ${n} more in ${rest.length} other groups`);
  }
  return `📦 ${total} more notifications ${window}:\n${lines.join('\n')}`;
}

/** The number of deliveries a digest text stands for (what the tests and the benchmark count). */
export function digestCount(text: string): number | null {
  const m = /^📦 (\d+) more /.exec(text);
  return m ? Number(m[1]) : null;
}
