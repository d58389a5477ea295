/**
 * `/api/admin/bots`: Telegram bots — list, create, edit (the token only when a new one is sent: it
 * is write-only once saved), delete, send a test message, health check (getMe), last deliveries,
 * the live template preview, and the alert settings. Admins only; every change is audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../access/audit.js';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { alertSettingsSchema, getAlertSettings, saveAlertSettings } from '../../notify/alert-settings.js';
import { tokenKeyOf } from '../../notify/bot-directory.js';
import {
  DELIVERY_STATUSES,
  listBotDeliveries,
  previewTemplate,
  queueTestMessage,
} from '../../notify/bot-messages.js';
import {
  createBot,
  deleteBot,
  findBot,
  listBots,
  parseInput,
  publicBot,
  updateBot,
} from '../../notify/bot-service.js';
import { clearChatRefusal } from '../../notify/health-check.js';
import { withNotifyTables } from '../../notify/tables.js';

/** How long "send test message" waits for Telegram's answer before saying it is still queued. */
const TEST_WAIT_MS = 10_000;

function botId(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new AppError('bad_request', 'bot id must be a positive integer', { field: 'id' });
  return id;
}

const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(DELIVERY_STATUSES).optional(),
});

export async function adminBotRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { notifier } = ctx;
  const checkInBackground = (id: number, token: string) => {
    void notifier.checkHealth({ id, token, tokenKey: tokenKeyOf(token) }).catch(() => undefined);
  };

  app.get('/api/admin/bots', async () => ({ bots: (await listBots(ctx.db)).map(publicBot) }));

  app.post('/api/admin/bots', async (request, reply) => {
    const bot = await createBot(ctx.db, request.body, actorOf(request));
    await notifier.botsChanged();
    checkInBackground(Number(bot.id), bot.token);
    return reply.code(201).send({ bot: publicBot(bot) });
  });

  app.post('/api/admin/bots/preview', async (request) => previewTemplate(request.body));

  app.get('/api/admin/bots/alerts', async () => {
    const [settings, open] = await Promise.all([
      getAlertSettings(ctx.db.kysely),
      withNotifyTables(ctx.db.kysely)
        .selectFrom('notify_alerts')
        .selectAll()
        .where('resolved_at', 'is', null)
        .orderBy('opened_at', 'desc')
        .execute(),
    ]);
    return {
      settings,
      open: open.map((a) => ({
        key: a.key,
        kind: a.kind,
        since: new Date(Number(a.opened_at)).toISOString(),
      })),
    };
  });

  app.put('/api/admin/bots/alerts', async (request) => {
    const settings = parseInput(alertSettingsSchema, request.body);
    if (settings.enabled && (settings.botId === null || settings.chatId === null))
      throw new AppError('bad_request', 'alerts need a bot and a chat', {
        field: settings.botId === null ? 'botId' : 'chatId',
      });
    if (settings.botId !== null) await findBot(ctx.db, settings.botId);
    const before = await getAlertSettings(ctx.db.kysely);
    await saveAlertSettings(ctx.db.kysely, settings);
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'bot.alerts_update',
      targetType: 'alert_settings',
      before,
      after: settings,
    });
    return { settings };
  });

  app.get<{ Params: { id: string } }>('/api/admin/bots/:id', async (request) => {
    const bot = await findBot(ctx.db, botId(request.params.id));
    return {
      bot: publicBot(bot),
      deliveries: await listBotDeliveries(ctx.db, Number(bot.id), { limit: 20 }),
    };
  });

  app.get<{ Params: { id: string } }>('/api/admin/bots/:id/deliveries', async (request) => {
    const bot = await findBot(ctx.db, botId(request.params.id));
    const q = parseInput(deliveriesQuery, request.query);
    return { deliveries: await listBotDeliveries(ctx.db, Number(bot.id), q) };
  });

  app.patch<{ Params: { id: string } }>('/api/admin/bots/:id', async (request) => {
    const { bot, tokenChanged } = await updateBot(
      ctx.db,
      botId(request.params.id),
      request.body,
      actorOf(request),
    );
    await notifier.botsChanged();
    if (tokenChanged) checkInBackground(Number(bot.id), bot.token);
    return { bot: publicBot(bot) };
  });

  app.delete<{ Params: { id: string } }>('/api/admin/bots/:id', async (request, reply) => {
    await deleteBot(ctx.db, botId(request.params.id), actorOf(request));
    await notifier.botsChanged();
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/admin/bots/:id/test', async (request, reply) => {
    const bot = await findBot(ctx.db, botId(request.params.id));
    const id = await queueTestMessage(ctx.db, bot, actorOf(request));
    notifier.sender.wake();
    const done = await notifier.waitForDelivery(id, notifier.sender.isRunning ? TEST_WAIT_MS : 0);
    const delivery = { id, status: done?.status ?? 'pending', error: done?.error ?? null };
    // It reached the bot's chat: a refusal recorded earlier no longer holds.
    if (delivery.status === 'sent') await clearChatRefusal(ctx.db, Number(bot.id));
    const finished = delivery.status !== 'pending' && delivery.status !== 'sending';
    return reply.code(finished ? 200 : 202).send({ delivery });
  });

  app.post<{ Params: { id: string } }>('/api/admin/bots/:id/health', async (request) => {
    const bot = await findBot(ctx.db, botId(request.params.id));
    const health = await notifier.checkHealth({
      id: Number(bot.id),
      token: bot.token,
      tokenKey: tokenKeyOf(bot.token),
    });
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'bot.health_check',
      targetType: 'bot',
      targetId: bot.id,
      after: { status: health.status, error: health.error },
    });
    return {
      health: {
        status: health.status,
        checkedAt: new Date(health.checkedAt).toISOString(),
        error: health.error,
        username: health.username,
      },
    };
  });
}
