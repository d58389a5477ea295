/**
 * Telegram's HTML parse mode, the subset we send: escaping a value so it is only ever text, and a
 * strict parser that checks markup the way Telegram does (supported tags, balanced, entities,
 * nothing inside code/pre) and says what the reader will see (visible text and entities). Admin
 * templates are checked with it on save; the fake Bot API uses it to answer 400 like Telegram.
 * Pure: no I/O. Never accepts a value as markup.
 */

/** Telegram's limit on a message's visible text, in UTF-16 code units. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Makes any string safe as text in HTML parse mode: no tag, entity or link can come out of it. */
export function escapeTelegramHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

export type EntityType =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'code'
  | 'pre'
  | 'text_link'
  | 'blockquote';

export interface Entity {
  type: EntityType;
  /** Offset and length in the visible text, in UTF-16 code units. */
  offset: number;
  length: number;
  url?: string;
}

export type ParsedHtml =
  | { ok: true; text: string; entities: Entity[] }
  | { ok: false; error: string; index: number };

const TAG_TYPES: Record<string, EntityType> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  code: 'code',
  pre: 'pre',
  a: 'text_link',
  blockquote: 'blockquote',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function decodeEntity(body: string): string | null {
  const named = NAMED_ENTITIES[body];
  if (named !== undefined) return named;
  const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
  if (!m) return null;
  const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) return null;
  return String.fromCodePoint(code);
}

function parseAttributes(raw: string): Map<string, string> | null {
  const attrs = new Map<string, string>();
  const re = /\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;
  let rest = raw;
  while (rest.trim() !== '') {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m || m[0] === '') return null;
    attrs.set((m[1] ?? '').toLowerCase(), decodeAttr(m[2] ?? m[3] ?? m[4] ?? ''));
    rest = rest.slice(m[0].length);
  }
  return attrs;
}

function decodeAttr(value: string): string {
  return value.replace(/&([#a-zA-Z0-9]+);/g, (all, body: string) => decodeEntity(body) ?? all);
}

function checkTag(name: string, attrs: Map<string, string>, stack: string[]): string | null {
  if (TAG_TYPES[name] === undefined) return `unsupported tag <${name}>`;
  const inside = stack.at(-1);
  if (inside === 'code' || (inside === 'pre' && name !== 'code'))
    return `<${name}> cannot be inside <${inside}>`;
  for (const key of attrs.keys()) {
    const allowed =
      (name === 'a' && key === 'href') ||
      (name === 'span' && key === 'class') ||
      (name === 'code' && key === 'class') ||
      (name === 'blockquote' && key === 'expandable');
    if (!allowed) return `attribute ${key} is not allowed on <${name}>`;
  }
  if (name === 'span' && attrs.get('class') !== 'tg-spoiler') return '<span> needs class="tg-spoiler"';
  if (name === 'a') {
    const href = attrs.get('href') ?? '';
    if (!/^(https?:\/\/|tg:\/\/)\S+$/i.test(href)) return '<a> needs an http(s):// or tg:// href';
  }
  return null;
}

/** Parses HTML-mode text as Telegram does; an error names what is wrong and where. */
export function parseTelegramHtml(html: string): ParsedHtml {
  let text = '';
  const entities: Entity[] = [];
  const stack: string[] = [];
  const open: Array<{ name: string; offset: number; url?: string }> = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end === -1) return { ok: false, error: 'unclosed "<": write &lt; for a literal <', index: i };
      const inner = html.slice(i + 1, end);
      const close = /^\/\s*([a-zA-Z][a-zA-Z-]*)\s*$/.exec(inner);
      if (close) {
        const name = (close[1] ?? '').toLowerCase();
        const top = open.pop();
        if (!top || top.name !== name) return { ok: false, error: `unexpected </${name}>`, index: i };
        stack.pop();
        const type = TAG_TYPES[name];
        if (type !== undefined) {
          entities.push({
            type,
            offset: top.offset,
            length: text.length - top.offset,
            ...(top.url !== undefined ? { url: top.url } : {}),
          });
        }
      } else {
        const m = /^([a-zA-Z][a-zA-Z-]*)(\s[\s\S]*)?$/.exec(inner);
        if (!m) return { ok: false, error: 'malformed tag: write &lt; for a literal <', index: i };
        const name = (m[1] ?? '').toLowerCase();
        const attrs = parseAttributes(m[2] ?? '');
        if (!attrs) return { ok: false, error: `malformed attributes in <${name}>`, index: i };
        const problem = checkTag(name, attrs, stack);
        if (problem) return { ok: false, error: problem, index: i };
        stack.push(name);
        open.push({ name, offset: text.length, ...(name === 'a' ? { url: attrs.get('href') } : {}) });
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&([#a-zA-Z0-9]{1,10});/.exec(html.slice(i, i + 12));
      const decoded = m ? decodeEntity(m[1] ?? '') : null;
      if (!m || decoded === null)
        return { ok: false, error: 'bare "&": write &amp; for a literal &', index: i };
      text += decoded;
      i += m[0].length;
    } else if (c === '>') {
      return { ok: false, error: 'bare ">": write &gt; for a literal >', index: i };
    } else {
      text += c;
      i++;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) return { ok: false, error: `<${unclosed.name}> is never closed`, index: html.length };
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) };
}
