/**
 * Source records: create, list, rotate keys, and seed one source per built-in template on a
 * fresh install. Validates what an admin enters before it can reach the postback path.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/connect.js';
import type { SourceRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { parseCidr } from './compiled-source.js';
import { BUILT_IN_TEMPLATES, getTemplate } from './templates.js';

export function generateSourceKey(): string {
  return randomBytes(24).toString('base64url');
}

export const sourceInputSchema = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'letters, digits, - and _ only, up to 64'),
  name: z.string().trim().min(1).max(64).optional(),
  template: z.string().default('generic'),
  authMode: z.enum(['key', 'hmac']).default('key'),
  ipAllowlist: z.array(z.string()).default([]),
  paramMap: z.record(z.string(), z.array(z.string().min(1))).default({}),
  eventMap: z.record(z.string(), z.string()).default({}),
  declinedStatuses: z.array(z.string()).default([]),
  defaultCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .nullable()
    .default(null),
  lagWarningMinutes: z.number().int().positive().optional(),
  lagErrorMinutes: z.number().int().positive().optional(),
});
export type SourceInput = z.input<typeof sourceInputSchema>;

export async function createSource(db: Db, input: SourceInput, now = Date.now()): Promise<SourceRow> {
  const parsed = sourceInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('bad_request', issue?.message ?? 'invalid source', { field: issue?.path.join('.') });
  }
  const s = parsed.data;
  const template = getTemplate(s.template);
  if (!template) throw new AppError('bad_request', `unknown template "${s.template}"`, { field: 'template' });
  for (const cidr of s.ipAllowlist) {
    try {
      parseCidr(cidr);
    } catch {
      throw new AppError('bad_request', `invalid address or CIDR "${cidr}"`, { field: 'ipAllowlist' });
    }
  }
  const existing = await db.kysely
    .selectFrom('sources')
    .select('id')
    .where('slug', '=', s.slug)
    .executeTakeFirst();
  if (existing) throw new AppError('conflict', `source "${s.slug}" already exists`, { field: 'slug' });
  const warning = s.lagWarningMinutes ?? template.lag.warningMinutes;
  const error = s.lagErrorMinutes ?? template.lag.errorMinutes;
  if (error <= warning)
    throw new AppError('bad_request', 'lag error threshold must exceed the warning', {
      field: 'lagErrorMinutes',
    });
  return db.kysely
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
      is_active: 1,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listSources(db: Db): Promise<SourceRow[]> {
  return db.kysely.selectFrom('sources').selectAll().orderBy('slug').execute();
}

/** New key now; the old one keeps working for `graceSeconds` so the network can be updated. */
export async function rotateSourceKey(
  db: Db,
  slug: string,
  graceSeconds: number,
  now = Date.now(),
): Promise<SourceRow> {
  const source = await db.kysely
    .selectFrom('sources')
    .selectAll()
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!source) throw new AppError('not_found', `no source "${slug}"`, { field: 'slug' });
  return db.kysely
    .updateTable('sources')
    .set({
      secret_key: generateSourceKey(),
      previous_key: graceSeconds > 0 ? source.secret_key : null,
      previous_key_expires_at: graceSeconds > 0 ? now + graceSeconds * 1000 : null,
      updated_at: now,
    })
    .where('id', '=', source.id)
    .returningAll()
    .executeTakeFirstOrThrow();
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
