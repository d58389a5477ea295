/**
 * The bot form's state: what the inputs hold, the checks made before sending (the server's own
 * rules, so every wrong field is named at once instead of one per round trip), the body sent, and
 * which input a server error's `field` belongs to. The token input starts empty when editing: a
 * saved token is never shown, and an empty input keeps it.
 */
import { EVENT_TYPES, type EventType } from '../../lib/event-types';
import type { BotBody, PublicBot, TestEventMode } from './bots-api';

export interface BotForm {
  name: string;
  token: string;
  chatId: string;
  businessUnit: string;
  isActive: boolean;
  brands: string[];
  sources: string[];
  affiliates: string[];
  /** Empty = every type, CLICK included. */
  types: EventType[];
  testEvents: TestEventMode;
  /** Empty = the default template. */
  template: string;
}

export type FormField =
  | 'name'
  | 'token'
  | 'chatId'
  | 'businessUnit'
  | 'brands'
  | 'sources'
  | 'affiliates'
  | 'types'
  | 'testEvents'
  | 'template';
export type FieldErrors = Partial<Record<FormField, string>>;
export type FormMode = 'create' | 'edit';

/** src/notify/bot-service.ts and alert-settings.ts: the same patterns the server checks. */
export const TOKEN_PATTERN = /^\d{1,20}:[\w-]{20,}$/;
export const CHAT_ID_PATTERN = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
const LIMITS = { name: 64, token: 100, businessUnit: 64, slug: 64, affiliate: 128, template: 2000 };
const MAX_ITEMS = { brands: 500, sources: 200, affiliates: 2000 };

export function emptyForm(): BotForm {
  return {
    name: '',
    token: '',
    chatId: '',
    businessUnit: '',
    isActive: true,
    brands: [],
    sources: [],
    affiliates: [],
    types: ['REG', 'FTD', 'CPA'],
    testEvents: 'exclude',
    template: '',
  };
}

export function formOf(bot: PublicBot): BotForm {
  return {
    name: bot.name,
    token: '',
    chatId: bot.chatId,
    businessUnit: bot.businessUnit ?? '',
    isActive: bot.status === 'active',
    brands: [...bot.scope.brands],
    sources: [...bot.scope.sources],
    affiliates: [...bot.scope.affiliates],
    types: EVENT_TYPES.filter((t) => bot.scope.types.includes(t)),
    testEvents: bot.scope.testEvents,
    template: bot.template ?? '',
  };
}

function listError(values: string[], max: number, maxLength: number, what: string): string | undefined {
  if (values.length > max) return `at most ${max} ${what}s`;
  const long = values.find((v) => v.length > maxLength);
  return long === undefined ? undefined : `“${long.slice(0, 20)}…” is longer than ${maxLength} characters`;
}

function tokenError(token: string, mode: FormMode): string | undefined {
  const t = token.trim();
  if (t === '') return mode === 'create' ? 'the bot token is required' : undefined;
  if (t.length > LIMITS.token || !TOKEN_PATTERN.test(t))
    return 'must look like 123456:ABC-DEF… (a bot token from @BotFather)';
  return undefined;
}

function chatIdError(chatId: string): string | undefined {
  const c = chatId.trim();
  if (c === '') return 'the chat or group ID is required';
  return CHAT_ID_PATTERN.test(c) ? undefined : 'a numeric chat id (negative for groups) or @channel';
}

/** Every problem the server would refuse, by field; empty when the form can be sent. */
export function validateForm(f: BotForm, mode: FormMode): FieldErrors {
  const errors: FieldErrors = {
    name:
      f.name.trim() === ''
        ? 'the name is required'
        : f.name.trim().length > LIMITS.name
          ? `at most ${LIMITS.name} characters`
          : undefined,
    token: tokenError(f.token, mode),
    chatId: chatIdError(f.chatId),
    businessUnit:
      f.businessUnit.trim().length > LIMITS.businessUnit
        ? `at most ${LIMITS.businessUnit} characters`
        : undefined,
    brands: listError(f.brands, MAX_ITEMS.brands, LIMITS.slug, 'brand'),
    sources: listError(f.sources, MAX_ITEMS.sources, LIMITS.slug, 'source'),
    affiliates: listError(f.affiliates, MAX_ITEMS.affiliates, LIMITS.affiliate, 'affiliate'),
    template: f.template.length > LIMITS.template ? `at most ${LIMITS.template} characters` : undefined,
  };
  return Object.fromEntries(Object.entries(errors).filter(([, v]) => v !== undefined)) as FieldErrors;
}

/** The body of POST (create) or PATCH (edit; the token only when a new one was typed). */
export function bodyOf(f: BotForm): BotBody {
  const token = f.token.trim();
  return {
    name: f.name.trim(),
    ...(token === '' ? {} : { token }),
    chatId: f.chatId.trim(),
    businessUnit: f.businessUnit.trim() === '' ? null : f.businessUnit.trim(),
    isActive: f.isActive,
    scope: {
      brands: f.brands,
      sources: f.sources,
      affiliates: f.affiliates,
      types: f.types,
      testEvents: f.testEvents,
    },
    template: f.template.trim() === '' ? null : f.template,
  };
}

/** `scope.types.0` → `types`; a field the form has no input for → null (shown above the buttons). */
export function formFieldOf(serverField: string | undefined): FormField | null {
  if (!serverField) return null;
  const [head, sub] = serverField.split('.');
  const name = head === 'scope' ? sub : head;
  const known: readonly string[] = [
    'name',
    'token',
    'chatId',
    'businessUnit',
    'brands',
    'sources',
    'affiliates',
    'types',
    'testEvents',
    'template',
  ];
  return name !== undefined && known.includes(name) ? (name as FormField) : null;
}
