/**
 * What the admin sees of a bot's messages: its last deliveries with status and error, the live
 * template preview, and the test message (queued through the outbox, so it keeps to the same
 * pacing and shows up among the deliveries). Never sends directly.
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../access/audit.js';
import type { Db } from '../db/connect.js';
import { checkTemplate, iso, parseInput } from './bot-service.js';
import {
  compileTemplate,
  DEFAULT_TEMPLATE,
  type MessageEvent,
  renderMessage,
  SAMPLE_EVENT,
} from './message-template.js';
import { type BotRow, type DeliveryStatus, withNotifyTables } from './tables.js';
import { escapeTelegramHtml, parseTelegramHtml } from './telegram-html.js';

const previewSchema = z.object({
  template: z.string().max(5000).nullable().default(null),
  botName: z.string().max(64).default('Bot'),
});

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'digested', 'failed', 'cancelled'] as const;

export interface PublicDelivery {
  id: number;
  kind: string;
  eventId: number | null;
  event: { type: string; brand: string; source: string } | null;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  digestSize: number | null;
}

/** A bot's last deliveries, newest first, with their status and error. */
export async function listBotDeliveries(
  db: Db,
  botId: number,
  opts: { limit: number; status?: DeliveryStatus },
): Promise<PublicDelivery[]> {
  let q = withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .leftJoin('events', 'events.id', 'notify_deliveries.event_id')
    .leftJoin('brands', 'brands.id', 'events.brand_id')
    .leftJoin('sources', 'sources.id', 'events.source_id')
    .select([
      'notify_deliveries.id',
      'notify_deliveries.kind',
      'notify_deliveries.event_id',
      'notify_deliveries.status',
      'notify_deliveries.attempts',
      'notify_deliveries.error',
      'notify_deliveries.created_at',
      'notify_deliveries.finished_at',
      'notify_deliveries.digest_size',
      'events.type',
      'brands.slug as brand',
      'sources.slug as source',
    ])
    .where('notify_deliveries.bot_id', '=', botId);
  if (opts.status !== undefined) q = q.where('notify_deliveries.status', '=', opts.status);
  const rows = await q.orderBy('notify_deliveries.id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    eventId: r.event_id === null ? null : Number(r.event_id),
    event: r.type === null ? null : { type: r.type, brand: r.brand ?? '?', source: r.source ?? '?' },
    status: r.status,
    attempts: Number(r.attempts),
    error: r.error,
    createdAt: iso(r.created_at) ?? '',
    finishedAt: iso(r.finished_at),
    digestSize: r.digest_size === null ? null : Number(r.digest_size),
  }));
}

/** What a template makes of an event (the sample one unless given): HTML as sent and as read. */
export function previewTemplate(
  input: unknown,
  event: MessageEvent = SAMPLE_EVENT,
): { html: string; text: string; entities: unknown[] } {
  const p = parseInput(previewSchema, input);
  const template = checkTemplate(p.template) ?? DEFAULT_TEMPLATE;
  const html = renderMessage(compileTemplate(template), event, { botName: p.botName });
  const parsed = parseTelegramHtml(html);
  return { html, text: parsed.ok ? parsed.text : '', entities: parsed.ok ? parsed.entities : [] };
}

/** Queues a test message to the bot's chat (the bot's template on the sample event). */
export async function queueTestMessage(db: Db, bot: BotRow, actor: Actor, now = Date.now()): Promise<number> {
  let body: string;
  try {
    body = renderMessage(compileTemplate(bot.template ?? DEFAULT_TEMPLATE), SAMPLE_EVENT, {
      botName: bot.name,
    });
  } catch {
    body = renderMessage(compileTemplate(DEFAULT_TEMPLATE), SAMPLE_EVENT, { botName: bot.name });
  }
  const text = `🧪 <b>Test message</b> from S2S Galaxy for bot ${escapeTelegramHtml(bot.name)}\n\n${body}`;
  return db.kysely.transaction().execute(async (trx) => {
    const row = await withNotifyTables(trx)
      .insertInto('notify_deliveries')
      .values({ bot_id: Number(bot.id), kind: 'test', text, due_at: now, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      actor,
      {
        action: 'bot.test_message',
        targetType: 'bot',
        targetId: bot.id,
        after: { deliveryId: Number(row.id) },
      },
      now,
    );
    return Number(row.id);
  });
}

export async function deliveryStatus(
  db: Db,
  id: number,
): Promise<{ status: DeliveryStatus; error: string | null } | undefined> {
  return withNotifyTables(db.kysely)
    .selectFrom('notify_deliveries')
    .select(['status', 'error'])
    .where('id', '=', id)
    .executeTakeFirst();
}
