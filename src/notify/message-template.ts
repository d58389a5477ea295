/**
 * Message templates: an admin writes Telegram HTML with `{placeholders}` (one per canonical event
 * field, plus a few conveniences); `compileTemplate` checks it once (known placeholders, none inside
 * a tag, valid Telegram HTML, length) and `renderMessage` fills it for one event. Every value is
 * escaped, and free-text values from a postback are set in <code> (outside code/pre/links), where
 * Telegram never turns text into a link, mention, hashtag or command. A value can never add a tag,
 * an entity or a link, and the message stays within Telegram's 4096 characters. Pure: no I/O.
 */
import { escapeTelegramHtml, parseTelegramHtml, TELEGRAM_TEXT_LIMIT } from './telegram-html.js';

/** An event as a message shows it: names resolved, amount as an exact decimal string. */
export interface MessageEvent {
  id: number;
  receivedAt: number;
  occurredAt: number;
  type: string;
  rawEvent: string;
  brand: string;
  source: string;
  affiliateId: string | null;
  subId: string | null;
  externalUid: string | null;
  transactionId: string | null;
  trackingTag: string | null;
  trafficSource: string | null;
  country: string | null;
  amount: string | null;
  currency: string | null;
  isTest: boolean;
  sender: string | null;
  sheet: string | null;
  brokenMacro: string | null;
}

export interface MessageContext {
  botName: string;
}

const TYPE_ICONS: Record<string, string> = {
  CLICK: '👆',
  REG: '📝',
  FTD: '💰',
  DEP: '💵',
  REDEP: '🔁',
  CPA: '✅',
};

function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

interface Placeholder {
  /** Text from a postback that could look like a link, mention or command: set in <code>. */
  freeText: boolean;
  value(e: MessageEvent, c: MessageContext): string | null;
}

/** Every placeholder a template may use. Canonical fields keep their API names. */
export const PLACEHOLDERS: Readonly<Record<string, Placeholder>> = {
  id: { freeText: false, value: (e) => String(e.id) },
  received_at: { freeText: false, value: (e) => formatTime(e.receivedAt) },
  occurred_at: { freeText: false, value: (e) => formatTime(e.occurredAt) },
  type: { freeText: false, value: (e) => e.type },
  type_icon: { freeText: false, value: (e) => TYPE_ICONS[e.type] ?? '•' },
  raw_event: { freeText: true, value: (e) => e.rawEvent },
  brand: { freeText: true, value: (e) => e.brand },
  source: { freeText: true, value: (e) => e.source },
  affiliate_id: { freeText: true, value: (e) => e.affiliateId },
  sub_id: { freeText: true, value: (e) => e.subId },
  external_uid: { freeText: true, value: (e) => e.externalUid },
  transaction_id: { freeText: true, value: (e) => e.transactionId },
  tracking_tag: { freeText: true, value: (e) => e.trackingTag },
  traffic_source: { freeText: true, value: (e) => e.trafficSource },
  country: { freeText: false, value: (e) => e.country },
  amount: { freeText: false, value: (e) => e.amount },
  currency: { freeText: false, value: (e) => e.currency },
  is_test: { freeText: false, value: (e) => (e.isTest ? 'test' : 'live') },
  test_mark: { freeText: false, value: (e) => (e.isTest ? '🧪 TEST ' : '') },
  sender: { freeText: true, value: (e) => e.sender },
  sheet: { freeText: true, value: (e) => e.sheet },
  broken_macro: { freeText: true, value: (e) => e.brokenMacro },
  bot: { freeText: false, value: (_e, c) => c.botName },
};

export const DEFAULT_TEMPLATE = [
  '{test_mark}{type_icon} <b>{type}</b> · {brand} · {source}',
  'Affiliate {affiliate_id} · Sub {sub_id}',
  'Player {external_uid}',
  'Amount {amount} {currency} · Country {country}',
  'Tag {tracking_tag}',
  '#{id} · {occurred_at}',
].join('\n');

export const TEMPLATE_MAX_LENGTH = 2000;
const MAX_PLACEHOLDERS = 40;
/** Longest value shown, in characters; shortened further if the message would pass 4096. */
const VALUE_CAPS = [256, 96, 32, 8];
/** Shown for a field the event does not have. */
const ABSENT = '—';

type Part =
  | { kind: 'literal'; html: string }
  | { kind: 'field'; name: string; placeholder: Placeholder; plain: boolean };

export interface CompiledTemplate {
  source: string;
  parts: Part[];
  /** Visible length of the template's own text, placeholders excluded. */
  literalLength: number;
}

export class TemplateError extends Error {}

const PLACEHOLDER_RE = /\{\{|\}\}|\{([a-z_]{1,32})\}/g;

/** Tracks where we are in the admin's markup: inside a tag's brackets, and which elements are open. */
function scanMarkup(html: string, state: { inTag: boolean; open: string[] }): void {
  for (let i = 0; i < html.length; i++) {
    const c = html[i];
    if (state.inTag) {
      if (c === '>') state.inTag = false;
      continue;
    }
    if (c !== '<') continue;
    const m = /^<(\/?)\s*([a-zA-Z][a-zA-Z-]*)/.exec(html.slice(i, i + 40));
    if (m) {
      const name = (m[2] ?? '').toLowerCase();
      if (m[1] === '/') {
        const at = state.open.lastIndexOf(name);
        if (at >= 0) state.open.splice(at, 1);
      } else state.open.push(name);
    }
    const end = html.indexOf('>', i);
    if (end === -1) {
      state.inTag = true;
      return;
    }
    i = end;
  }
}

/** Checks a template and prepares it for rendering; throws TemplateError saying what is wrong. */
export function compileTemplate(source: string): CompiledTemplate {
  if (source.length > TEMPLATE_MAX_LENGTH)
    throw new TemplateError(`template is longer than ${TEMPLATE_MAX_LENGTH} characters`);
  if (source.trim() === '') throw new TemplateError('template is empty');
  const parts: Part[] = [];
  const state = { inTag: false, open: [] as string[] };
  let literal = '';
  let probe = '';
  let fields = 0;
  let last = 0;
  const flush = () => {
    if (literal === '') return;
    parts.push({ kind: 'literal', html: literal });
    scanMarkup(literal, state);
    probe += literal;
    literal = '';
  };
  for (const m of source.matchAll(PLACEHOLDER_RE)) {
    const at = m.index ?? 0;
    literal += source.slice(last, at);
    last = at + m[0].length;
    if (m[0] === '{{' || m[0] === '}}') {
      literal += m[0] === '{{' ? '{' : '}';
      continue;
    }
    const name = m[1] ?? '';
    const placeholder = PLACEHOLDERS[name];
    if (!placeholder) throw new TemplateError(`unknown placeholder {${name}}`);
    flush();
    if (state.inTag) throw new TemplateError(`{${name}} cannot be used inside a tag`);
    if (++fields > MAX_PLACEHOLDERS) throw new TemplateError(`more than ${MAX_PLACEHOLDERS} placeholders`);
    // Inside code/pre a value is already monospace; inside a link its text cannot become another link.
    const plain = state.open.some((t) => t === 'code' || t === 'pre' || t === 'a');
    parts.push({ kind: 'field', name, placeholder, plain });
  }
  literal += source.slice(last);
  flush();
  const parsed = parseTelegramHtml(probe);
  if (!parsed.ok) throw new TemplateError(`template is not valid Telegram HTML: ${parsed.error}`);
  return { source, parts, literalLength: parsed.text.length };
}

function cut(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}

/** The message for one event: escaped values, at most 4096 visible characters. */
export function renderMessage(
  template: CompiledTemplate,
  event: MessageEvent,
  context: MessageContext,
): string {
  const values = template.parts.map((p) => {
    if (p.kind === 'literal') return null;
    const raw = p.placeholder.value(event, context);
    return raw === null || raw === '' ? null : raw;
  });
  for (const cap of VALUE_CAPS) {
    let visible = template.literalLength;
    let html = '';
    template.parts.forEach((p, i) => {
      if (p.kind === 'literal') {
        html += p.html;
        return;
      }
      const raw = values[i] ?? null;
      if (raw === null) {
        // Conveniences such as {test_mark} are empty on purpose; a missing field shows a dash.
        const absent = p.name === 'test_mark' ? '' : ABSENT;
        html += absent;
        visible += absent.length;
        return;
      }
      const shown = cut(raw, cap);
      visible += shown.length;
      const escaped = escapeTelegramHtml(shown);
      html += p.placeholder.freeText && !p.plain ? `<code>${escaped}</code>` : escaped;
    });
    if (visible <= TELEGRAM_TEXT_LIMIT) return html;
  }
  throw new TemplateError('the template alone is longer than a Telegram message');
}

/** What the preview and test messages show when no real event is at hand. */
export const SAMPLE_EVENT: MessageEvent = {
  id: 123456,
  receivedAt: Date.UTC(2026, 0, 15, 12, 30, 5),
  occurredAt: Date.UTC(2026, 0, 15, 12, 30, 1),
  type: 'FTD',
  rawEvent: 'ftd',
  brand: 'britsino',
  source: 'cellxpert',
  affiliateId: '1042',
  subId: 'sub-7',
  externalUid: 'player-99812',
  transactionId: 'dep-556677',
  trackingTag: 'spring_promo',
  trafficSource: 'seo',
  country: 'GB',
  amount: '50',
  currency: 'EUR',
  isTest: false,
  sender: null,
  sheet: null,
  brokenMacro: null,
};
