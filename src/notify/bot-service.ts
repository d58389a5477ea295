/**
 * Bots as the admin API sees them: input validation (name, token, chat, business unit, active,
 * scope, template), create/edit/delete with the audit entry in the same transaction, and the
 * public shape (token masked: it is write-only once saved). Never returns or audits a token.
 */
import { z } from 'zod';
import type { Actor } from '../access/audit.js';
import { recordAudit } from '../access/audit.js';
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { chatIdSchema } from './alert-settings.js';
import { botScopeSchema, parseStoredScope } from './bot-scope.js';
import { compileTemplate, TemplateError } from './message-template.js';
import { type BotRow, withNotifyTables } from './tables.js';

const tokenSchema = z
  .string()
  .trim()
  .max(100)
  .regex(/^\d{1,20}:[\w-]{20,}$/, 'must look like 123456:ABC-DEF… (a bot token from @BotFather)');

const templateSchema = z.string().max(5000).nullable();

export const botInputSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(64),
  token: tokenSchema,
  chatId: chatIdSchema,
  businessUnit: z.string().trim().max(64).nullable().default(null),
  isActive: z.boolean().default(true),
  scope: botScopeSchema.default(botScopeSchema.parse({})),
  template: templateSchema.default(null),
});

export const botPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    token: tokenSchema,
    chatId: chatIdSchema,
    businessUnit: z.string().trim().max(64).nullable(),
    isActive: z.boolean(),
    scope: botScopeSchema,
    template: templateSchema,
  })
  .partial();

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('bad_request', issue?.message ?? 'invalid bot', { field: issue?.path.join('.') });
  }
  return parsed.data;
}

/** Checks a template; null (the default template) is always fine. */
export function checkTemplate(template: string | null): string | null {
  if (template === null) return null;
  try {
    compileTemplate(template);
  } catch (error) {
    if (error instanceof TemplateError)
      throw new AppError('bad_request', error.message, { field: 'template' });
    throw error;
  }
  return template;
}

/** `123456:…wXyZ`: the bot's id part (public anyway) and the last 4 characters. */
export function maskToken(token: string): string {
  const [id, secret = ''] = token.split(':');
  return `${id ?? ''}:…${secret.slice(-4)}`;
}

export interface PublicBot {
  id: number;
  name: string;
  token: string;
  chatId: string;
  businessUnit: string | null;
  status: 'active' | 'inactive';
  scope: z.infer<typeof botScopeSchema>;
  template: string | null;
  health: {
    status: 'unknown' | 'online' | 'offline';
    checkedAt: string | null;
    error: string | null;
    username: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function publicBot(row: BotRow): PublicBot {
  return {
    id: Number(row.id),
    name: row.name,
    token: maskToken(row.token),
    chatId: row.chat_id,
    businessUnit: row.business_unit,
    status: row.is_active === 1 ? 'active' : 'inactive',
    scope: parseStoredScope(row.scope),
    template: row.template,
    health: {
      status: row.health_status,
      checkedAt: iso(row.health_checked_at),
      error: row.health_error,
      username: row.bot_username,
    },
    createdAt: iso(row.created_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
  };
}

export async function listBots(db: Db): Promise<BotRow[]> {
  return withNotifyTables(db.kysely)
    .selectFrom('bots')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findBot(db: Db, id: number): Promise<BotRow> {
  const bot = await withNotifyTables(db.kysely)
    .selectFrom('bots')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!bot) throw new AppError('not_found', `no bot ${id}`);
  return bot;
}

export async function createBot(db: Db, input: unknown, actor: Actor, now = Date.now()): Promise<BotRow> {
  const p = parseInput(botInputSchema, input);
  const template = checkTemplate(p.template);
  return db.kysely.transaction().execute(async (trx) => {
    const bot = await withNotifyTables(trx)
      .insertInto('bots')
      .values({
        name: p.name,
        token: p.token,
        chat_id: p.chatId,
        business_unit: p.businessUnit,
        is_active: p.isActive ? 1 : 0,
        scope: JSON.stringify(p.scope),
        template,
        health_status: 'unknown',
        health_checked_at: null,
        health_error: null,
        bot_username: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      actor,
      { action: 'bot.create', targetType: 'bot', targetId: bot.id, after: publicBot(bot) },
      now,
    );
    return bot;
  });
}

/** Edits a bot; the token only changes when a new one is sent. Says whether it changed. */
export async function updateBot(
  db: Db,
  id: number,
  input: unknown,
  actor: Actor,
  now = Date.now(),
): Promise<{ bot: BotRow; tokenChanged: boolean }> {
  const p = parseInput(botPatchSchema, input);
  const template = p.template === undefined ? undefined : checkTemplate(p.template);
  return db.kysely.transaction().execute(async (trx) => {
    const ndb = withNotifyTables(trx);
    const before = await ndb.selectFrom('bots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw new AppError('not_found', `no bot ${id}`);
    const tokenChanged = p.token !== undefined && p.token !== before.token;
    const chatChanged = p.chatId !== undefined && p.chatId !== before.chat_id;
    const after = await ndb
      .updateTable('bots')
      .set({
        name: p.name ?? before.name,
        token: p.token ?? before.token,
        chat_id: p.chatId ?? before.chat_id,
        business_unit: p.businessUnit === undefined ? before.business_unit : p.businessUnit,
        is_active: p.isActive === undefined ? before.is_active : p.isActive ? 1 : 0,
        scope: p.scope === undefined ? before.scope : JSON.stringify(p.scope),
        template: template === undefined ? before.template : template,
        ...(tokenChanged
          ? { health_status: 'unknown' as const, health_error: null, bot_username: null }
          : chatChanged
            ? { health_status: 'unknown' as const, health_error: null }
            : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      actor,
      {
        action: 'bot.update',
        targetType: 'bot',
        targetId: id,
        before: publicBot(before),
        after: { ...publicBot(after), tokenChanged },
      },
      now,
    );
    return { bot: after, tokenChanged };
  });
}

/** Deletes a bot; its deliveries not yet sent are cancelled, its history stays. */
export async function deleteBot(db: Db, id: number, actor: Actor, now = Date.now()): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    const ndb = withNotifyTables(trx);
    const before = await ndb.selectFrom('bots').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw new AppError('not_found', `no bot ${id}`);
    await ndb.deleteFrom('bots').where('id', '=', id).execute();
    const cancelled = await ndb
      .updateTable('notify_deliveries')
      .set({ status: 'cancelled', finished_at: now, error: 'bot deleted' })
      .where('bot_id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    await recordAudit(
      trx,
      actor,
      {
        action: 'bot.delete',
        targetType: 'bot',
        targetId: id,
        before: publicBot(before),
        after: { cancelledDeliveries: Number(cancelled.numUpdatedRows) },
      },
      now,
    );
  });
}
