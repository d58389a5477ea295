/**
 * Source records: create, list, edit, rotate keys, and seed one source per built-in template on a
 * fresh install. The one code path behind the CLI (`affpanel source …`) and the admin API: it
 * validates what an admin enters before it can reach the postback path, and writes the audit
 * entry in the same transaction as the change. A key never goes into the audit log. Callers
 * refresh the SourceDirectory after a change so the postback path sees it at once.
 */
import { randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type Actor, recordAudit } from '../access/audit.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { lockInvariant } from '../db/dialect.js';
import type { Database, SourceRow } from '../db/schema.js';
import {
  CANONICAL_FIELDS,
  type CanonicalField,
  EVENT_TYPES,
  type EventType,
  isEventType,
} from '../domain.js';
import { AppError } from '../errors.js';
import { KEY_PARAMS } from '../ingest/authenticate-source.js';
import { parseCurrency } from '../ingest/normalise/currency.js';
import { parseCidr } from './compiled-source.js';
import { BUILT_IN_TEMPLATES, getTemplate } from './templates.js';

export function generateSourceKey(): string {
  return randomBytes(24).toString('base64url');
}

/** The URL a network is given: with `?key=` for key sources; signed (no key in it) for HMAC ones. */
export function postbackUrl(config: Pick<Config, 'publicBaseUrl'>, source: SourceRow): string {
  const base = `${config.publicBaseUrl}/postback/${encodeURIComponent(source.slug)}`;
  return source.auth_mode === 'hmac' ? base : `${base}?key=${encodeURIComponent(source.secret_key)}`;
}

const canonicalFields: ReadonlySet<string> = new Set(CANONICAL_FIELDS);
const keyParams: ReadonlySet<string> = new Set(KEY_PARAMS);

const nameSchema = z.string().trim().min(1, 'name is required').max(64, 'name is at most 64 characters');

const paramNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.\-[\]]{1,64}$/, 'a parameter name is 1–64 letters, digits, _ - . [ ]')
  .refine((n) => !keyParams.has(n), 'key, api_key and secret carry the source key: they cannot feed a field');

/** Canonical field -> parameter names, replacing the template's names for that field only. */
const paramMapSchema = z
  .record(z.string(), z.array(paramNameSchema).min(1, 'list at least one parameter name').max(20))
  .superRefine((map, ctx) => {
    for (const field of Object.keys(map)) {
      if (!canonicalFields.has(field))
        ctx.addIssue({ code: 'custom', path: [field], message: `"${field}" is not a field AFFPanel reads` });
    }
  })
  .transform((map) => {
    const out: Partial<Record<CanonicalField, string[]>> = {};
    for (const field of CANONICAL_FIELDS) {
      const names = map[field];
      if (names) out[field] = [...new Set(names)];
    }
    return out;
  });

/** Network event word -> type, merged over the template's words (a word here wins). */
const eventMapSchema = z
  .record(z.string(), z.string())
  .superRefine((map, ctx) => {
    if (Object.keys(map).length > 200) ctx.addIssue({ code: 'custom', message: 'at most 200 event words' });
    for (const [word, type] of Object.entries(map)) {
      const clean = word.trim();
      if (clean === '' || clean.length > 64)
        ctx.addIssue({ code: 'custom', path: [word], message: 'an event word is 1–64 characters' });
      else if (!isEventType(type.trim().toUpperCase()))
        ctx.addIssue({
          code: 'custom',
          path: [word],
          message: `"${type}" is not an event type (${EVENT_TYPES.join(', ')})`,
        });
    }
  })
  .transform((map) => {
    const out: Record<string, EventType> = {};
    for (const [word, type] of Object.entries(map))
      out[word.trim().toLowerCase()] = type.trim().toUpperCase() as EventType;
    return out;
  });

const declinedSchema = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .min(1, 'a status word cannot be empty')
      .max(32, 'a status word is at most 32 characters'),
  )
  .max(50, 'at most 50 declined statuses')
  .transform((words) => [...new Set(words)]);

/** IPv4 in dotted four-part form (no `10.1` shorthand) or IPv6, each with an optional /prefix. */
function isValidAddressOrCidr(text: string): boolean {
  const [address = '', bits, ...rest] = text.split('/');
  if (rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return false;
  const valid = address.includes(':')
    ? ipaddr.IPv6.isValid(address)
    : ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!valid) return false;
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

const allowlistSchema = z
  .array(z.string().trim())
  .max(100, 'at most 100 addresses or ranges')
  .superRefine((list, ctx) => {
    const bad = list.find((entry) => !isValidAddressOrCidr(entry));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `invalid address or CIDR "${bad}"` });
  })
  .transform((list) => [...new Set(list)]);

const currencySchema = z
  .string()
  .nullable()
  .transform((text, ctx) => {
    if (text === null || text.trim() === '') return null;
    const parsed = parseCurrency(text);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  });

const lagSchema = z.number().int().positive().max(525_600);

export const sourceInputSchema = z.strictObject({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'letters, digits, - and _ only, up to 64'),
  name: nameSchema.optional(),
  template: z.string().default('generic'),
  authMode: z.enum(['key', 'hmac']).default('key'),
  ipAllowlist: allowlistSchema.default([]),
  paramMap: paramMapSchema.default({}),
  eventMap: eventMapSchema.default({}),
  declinedStatuses: declinedSchema.default([]),
  defaultCurrency: currencySchema.default(null),
  isActive: z.boolean().default(true),
  lagWarningMinutes: lagSchema.optional(),
  lagErrorMinutes: lagSchema.optional(),
});
export type SourceInput = z.input<typeof sourceInputSchema>;

/** What an admin may change on an existing source. Slug and template are fixed once created. */
export const sourcePatchSchema = z
  .strictObject({
    name: nameSchema,
    authMode: z.enum(['key', 'hmac']),
    ipAllowlist: allowlistSchema,
    paramMap: paramMapSchema,
    eventMap: eventMapSchema,
    declinedStatuses: declinedSchema,
    defaultCurrency: currencySchema,
    isActive: z.boolean(),
  })
  .partial();
export type SourcePatch = z.input<typeof sourcePatchSchema>;

/** Parses with a schema; the first problem becomes a 400 naming its field (`paramMap.sub_id`). */
function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw new AppError('bad_request', `"${key}" cannot be set on a source`, { field: key });
  }
  throw new AppError('bad_request', issue?.message ?? 'invalid source', {
    field: issue?.path.join('.') || undefined,
  });
}

function templateOrThrow(id: string) {
  const template = getTemplate(id);
  if (!template) throw new AppError('bad_request', `unknown template "${id}"`, { field: 'template' });
  return template;
}

/**
 * One parameter name feeds one field: an override that makes a name read as two fields (with the
 * template's names for the fields not overridden) is refused, naming the overridden field.
 */
function checkParamConflicts(templateId: string, overrides: Partial<Record<CanonicalField, string[]>>): void {
  const template = templateOrThrow(templateId);
  const owner = new Map<string, CanonicalField>();
  const fields = [...CANONICAL_FIELDS].sort((a, b) => Number(a in overrides) - Number(b in overrides));
  for (const field of fields) {
    for (const name of overrides[field] ?? template.params[field] ?? [field]) {
      const other = owner.get(name);
      if (other !== undefined && other !== field)
        throw new AppError('bad_request', `parameter "${name}" is already read as ${other}`, {
          field: `paramMap.${field}`,
        });
      owner.set(name, field);
    }
  }
}

/** The record as the audit log keeps it: everything an admin can see or set, never a key. */
export function auditedSource(row: SourceRow) {
  return {
    slug: row.slug,
    name: row.name,
    template: row.template,
    authMode: row.auth_mode,
    ipAllowlist: JSON.parse(row.ip_allowlist) as string[],
    paramMap: JSON.parse(row.param_map) as Partial<Record<CanonicalField, string[]>>,
    eventMap: JSON.parse(row.event_map) as Record<string, EventType>,
    declinedStatuses: JSON.parse(row.declined_statuses) as string[],
    defaultCurrency: row.default_currency,
    isActive: row.is_active === 1,
  };
}

/** Serialises source writes (PostgreSQL: advisory lock; SQLite: the write lock). */
async function lockSources(trx: Kysely<Database>, db: Db): Promise<void> {
  await lockInvariant(trx, db.dialect, 'sources');
}

async function findSourceIn(kysely: Kysely<Database>, slug: string): Promise<SourceRow> {
  const source = await kysely
    .selectFrom('sources')
    .selectAll()
    .where('slug', '=', slug.trim().toLowerCase())
    .executeTakeFirst();
  if (!source) throw new AppError('not_found', `no source "${slug}"`, { field: 'slug' });
  return source;
}

export async function findSource(db: Db, slug: string): Promise<SourceRow> {
  return findSourceIn(db.kysely, slug);
}

export interface WriteOptions {
  /** Who made the change; with one, the audit entry is written in the same transaction. */
  actor?: Actor | null;
  now?: number;
}

export async function createSource(db: Db, input: unknown, options: WriteOptions = {}): Promise<SourceRow> {
  const s = parseOrThrow(sourceInputSchema, input);
  const template = templateOrThrow(s.template);
  checkParamConflicts(template.id, s.paramMap);
  const warning = s.lagWarningMinutes ?? template.lag.warningMinutes;
  const error = s.lagErrorMinutes ?? template.lag.errorMinutes;
  if (error <= warning)
    throw new AppError('bad_request', 'lag error threshold must exceed the warning', {
      field: 'lagErrorMinutes',
    });
  const now = options.now ?? Date.now();
  return db.kysely.transaction().execute(async (trx) => {
    await lockSources(trx, db);
    const existing = await trx
      .selectFrom('sources')
      .select('id')
      .where('slug', '=', s.slug)
      .executeTakeFirst();
    if (existing) throw new AppError('conflict', `source "${s.slug}" already exists`, { field: 'slug' });
    const row = await trx
      .insertInto('sources')
      .values({
        slug: s.slug,
        name: s.name ?? s.slug.toUpperCase(),
        template: template.id,
        auth_mode: s.authMode,
        secret_key: generateSourceKey(),
        previous_key: null,
        previous_key_expires_at: null,
        ip_allowlist: JSON.stringify(s.ipAllowlist),
        param_map: JSON.stringify(s.paramMap),
        event_map: JSON.stringify(s.eventMap),
        declined_statuses: JSON.stringify(s.declinedStatuses),
        default_currency: s.defaultCurrency,
        lag_warning_minutes: warning,
        lag_error_minutes: error,
        is_active: s.isActive ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (options.actor)
      await recordAudit(
        trx,
        options.actor,
        { action: 'source.create', targetType: 'source', targetId: row.id, after: auditedSource(row) },
        now,
      );
    return row;
  });
}

export async function listSources(db: Db): Promise<SourceRow[]> {
  return db.kysely.selectFrom('sources').selectAll().orderBy('slug').execute();
}

/** Applies an admin's edit; an edit that changes nothing writes nothing and is not audited. */
export async function updateSource(
  db: Db,
  slug: string,
  input: unknown,
  options: WriteOptions = {},
): Promise<{ before: SourceRow; after: SourceRow }> {
  const p = parseOrThrow(sourcePatchSchema, input);
  const now = options.now ?? Date.now();
  return db.kysely.transaction().execute(async (trx) => {
    await lockSources(trx, db);
    const before = await findSourceIn(trx, slug);
    if (p.paramMap !== undefined) checkParamConflicts(before.template, p.paramMap);
    const changes = {
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.authMode !== undefined ? { auth_mode: p.authMode } : {}),
      ...(p.ipAllowlist !== undefined ? { ip_allowlist: JSON.stringify(p.ipAllowlist) } : {}),
      ...(p.paramMap !== undefined ? { param_map: JSON.stringify(p.paramMap) } : {}),
      ...(p.eventMap !== undefined ? { event_map: JSON.stringify(p.eventMap) } : {}),
      ...(p.declinedStatuses !== undefined ? { declined_statuses: JSON.stringify(p.declinedStatuses) } : {}),
      ...(p.defaultCurrency !== undefined ? { default_currency: p.defaultCurrency } : {}),
      ...(p.isActive !== undefined ? { is_active: p.isActive ? 1 : 0 } : {}),
    } as const;
    const unchanged = Object.entries(changes).every(
      ([column, value]) => before[column as keyof typeof changes] === value,
    );
    if (unchanged) return { before, after: before };
    const after = await trx
      .updateTable('sources')
      .set({ ...changes, updated_at: now })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (options.actor)
      await recordAudit(
        trx,
        options.actor,
        {
          action: 'source.update',
          targetType: 'source',
          targetId: after.id,
          before: auditedSource(before),
          after: auditedSource(after),
        },
        now,
      );
    return { before, after };
  });
}

/**
 * New key now; the old one keeps working for `graceSeconds` so the network can be updated. A key
 * rotated out earlier and still in its grace period keeps it (as the older key): after two quick
 * rotations (the first new key lost, say) the network's key still works until its own expiry.
 * With no grace, every old key stops at once.
 */
export async function rotateSourceKey(
  db: Db,
  slug: string,
  graceSeconds: number,
  now = Date.now(),
  actor: Actor | null = null,
): Promise<SourceRow> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockSources(trx, db);
    const source = await findSourceIn(trx, slug);
    const grace = graceSeconds > 0;
    const previousValid =
      grace &&
      source.previous_key !== null &&
      source.previous_key_expires_at !== null &&
      Number(source.previous_key_expires_at) > now;
    const row = await trx
      .updateTable('sources')
      .set({
        secret_key: generateSourceKey(),
        previous_key: grace ? source.secret_key : null,
        previous_key_expires_at: grace ? now + graceSeconds * 1000 : null,
        older_key: previousValid ? source.previous_key : null,
        older_key_expires_at: previousValid ? source.previous_key_expires_at : null,
        updated_at: now,
      })
      .where('id', '=', source.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (actor) {
      const until = row.previous_key_expires_at;
      await recordAudit(
        trx,
        actor,
        {
          action: 'source.rotate_key',
          targetType: 'source',
          targetId: row.id,
          after: {
            slug: row.slug,
            previousKeyValidUntil: until === null ? null : new Date(Number(until)).toISOString(),
            ...(row.older_key_expires_at === null
              ? {}
              : { olderKeyValidUntil: new Date(Number(row.older_key_expires_at)).toISOString() }),
          },
        },
        now,
      );
    }
    return row;
  });
}

/** Ends the grace period now: only the current key works (a rotated-out key has leaked, say). */
export async function endSourceKeyGrace(
  db: Db,
  slug: string,
  now = Date.now(),
  actor: Actor | null = null,
): Promise<SourceRow> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockSources(trx, db);
    const source = await findSourceIn(trx, slug);
    const row = await trx
      .updateTable('sources')
      .set({
        previous_key: null,
        previous_key_expires_at: null,
        older_key: null,
        older_key_expires_at: null,
        updated_at: now,
      })
      .where('id', '=', source.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (actor) {
      const until = (ms: number | null) =>
        ms !== null && Number(ms) > now ? new Date(Number(ms)).toISOString() : null;
      await recordAudit(
        trx,
        actor,
        {
          action: 'source.end_key_grace',
          targetType: 'source',
          targetId: row.id,
          before: {
            slug: source.slug,
            previousKeyValidUntil: until(source.previous_key_expires_at),
            olderKeyValidUntil: until(source.older_key_expires_at),
          },
          after: { slug: row.slug, previousKeyValidUntil: null, olderKeyValidUntil: null },
        },
        now,
      );
    }
    return row;
  });
}

/** On an empty install, one source per built-in platform template (except generic). */
export async function seedBuiltInSources(db: Db): Promise<SourceRow[]> {
  const any = await db.kysely.selectFrom('sources').select('id').limit(1).executeTakeFirst();
  if (any) return [];
  const created: SourceRow[] = [];
  for (const template of BUILT_IN_TEMPLATES) {
    if (template.id === 'generic') continue;
    created.push(await createSource(db, { slug: template.id, name: template.name, template: template.id }));
  }
  return created;
}
