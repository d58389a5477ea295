/**
 * The messages a claim becomes: one per delivery in its own slot (the delivery's stored text for
 * alerts and test messages, else its event through the bot's template), and the digest of the rest
 * in the last slot. Pure: events are loaded by the caller.
 */
import type { CachedBot } from './bot-directory.js';
import type { ClaimedDelivery, DigestBatch, LaneClaim } from './claim-lane.js';
import type { Held } from './delivery-results.js';
import { type DigestItem, digestText } from './digest.js';
import {
  compileTemplate,
  DEFAULT_TEMPLATE,
  type MessageEvent,
  renderMessage,
  TemplateError,
} from './message-template.js';
import { escapeTelegramHtml } from './telegram-html.js';

const FALLBACK = compileTemplate(DEFAULT_TEMPLATE);

export function singleMessage(
  d: ClaimedDelivery,
  bot: CachedBot,
  events: ReadonlyMap<number, MessageEvent>,
): string {
  if (d.text !== null) return d.text;
  const event = d.eventId === null ? undefined : events.get(d.eventId);
  if (!event) return escapeTelegramHtml(`Event #${d.eventId ?? '?'} is no longer stored.`);
  try {
    return renderMessage(bot.template, event, { botName: bot.name });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return renderMessage(FALLBACK, event, { botName: bot.name });
  }
}

export function digestMessage(items: readonly DigestItem[], now: number): string {
  return digestText(items, now);
}

/** One message planned for a chat: what it stands for, when it may go, until when the claim holds. */
export interface Planned {
  /** A single message's delivery, or null for the digest. */
  single: ClaimedDelivery | null;
  /** A single message's text; a digest's is written when sent, so "in the last N min" is exact. */
  text: string | null;
  digest: { batch: DigestBatch; items: DigestItem[]; attempts: number } | null;
  slot: number;
  leaseUntil: number;
}

/** The rows a planned message stands for. */
export function heldBy(p: Planned): Held {
  return p.digest ? p.digest.batch : { ids: p.single ? [p.single.id] : [] };
}

export function planMessages(
  claim: LaneClaim,
  bot: CachedBot,
  events: ReadonlyMap<number, MessageEvent>,
  digest: { items: DigestItem[]; attempts: number } | null,
): Planned[] {
  const { plan, singles, leaseUntil } = claim;
  return plan.slots.map((slot, i) => {
    const d = singles[i];
    if (d) return { single: d, text: singleMessage(d, bot, events), digest: null, slot, leaseUntil };
    const batch = claim.digest;
    if (!batch || !digest) throw new Error('a digest slot without its digest');
    return { single: null, text: null, digest: { batch, ...digest }, slot, leaseUntil };
  });
}
