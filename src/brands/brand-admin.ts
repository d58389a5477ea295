/**
 * Brand administration: list every brand with its aliases and stored events, rename (display name
 * only, the slug stays), block / unblock, and merge an alias into the brand it really is.
 *
 * A merge rewrites what is stored (events.brand_id and every table keyed by brand, see
 * move-brand-rows.ts) rather than resolving aliases at read time: every read query, export and
 * bot scope already works on brand ids, so after the rewrite they all show the alias's past events
 * under the target with no change, and rollups stay equal to a recount of the events. The alias's
 * slug keeps resolving to the target for new postbacks (`alias_of`). A merge is final: events do
 * not remember which slug they came in with, so there is no unmerge.
 *
 * Each change is one transaction under the exclusive brands lock (ingest batches in flight finish
 * first, later ones wait and then see the change), bumps the brands version so every writer's
 * cache reloads, is audited in the same transaction, and refreshes this process's cache at once.
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../access/audit.js';
import { withAnalyticsTables } from '../analytics/tables.js';
import type { Db } from '../db/connect.js';
import { lockFolder } from '../db/dialect.js';
import type { BrandRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { RollupFolder } from '../ingest/derived-rollups.js';
import type { BrandDirectory } from './brand-directory.js';
import { normaliseBrandSlug } from './brand-directory.js';
import { bumpBrandsVersion, holdBrandsExclusive } from './brand-version.js';
import { type MovedRows, moveBrandRows } from './move-brand-rows.js';

export interface AdminBrand {
  id: number;
  slug: string;
  name: string;
  blocked: boolean;
  /** The brand this one was merged into, or null. */
  aliasOf: string | null;
  /** Slugs merged into this brand. */
  aliases: string[];
  /** Every stored event counted under this brand (test events included), all time. */
  events: number;
  lastEventAt: string | null;
  createdAt: string;
}

export interface BrandAdminDeps {
  db: Db;
  /** This process's cache, refreshed as soon as a change commits. */
  brands: BrandDirectory;
  /** The derived rollups the counts come from: caught up before they are read. */
  derived: Pick<RollupFolder, 'catchUp'>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

export const brandPatchSchema = z
  .strictObject({
    name: z
      .string({ error: 'name must be text' })
      .trim()
      .min(1, 'name must not be empty')
      .max(64, 'name is at most 64 characters')
      .refine((n) => !CONTROL.test(n), 'name must not contain control characters'),
    blocked: z.boolean({ error: 'blocked must be true or false' }),
  })
  .partial()
  .refine((p) => p.name !== undefined || p.blocked !== undefined, {
    message: 'send a name or blocked',
    path: ['name'],
  });

export const brandMergeSchema = z.strictObject({
  into: z
    .string({ error: 'into must be the slug of the brand to merge into' })
    .trim()
    .min(1, 'into must be the slug of the brand to merge into')
    .max(64, 'into is at most 64 characters'),
});

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.map(String).join('.') || undefined;
  const message =
    issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue?.message;
  throw new AppError('bad_request', message ?? 'invalid input', field ? { field } : {});
}

/** The audited shape of a brand. */
function auditedBrand(row: BrandRow, aliasOfSlug: string | null) {
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    blocked: row.is_blocked === 1,
    aliasOf: aliasOfSlug,
  };
}

/** Every brand, aliases included, with its all-time event count and last event (rollups). */
export async function listAdminBrands({
  db,
  derived,
}: Pick<BrandAdminDeps, 'db' | 'derived'>): Promise<AdminBrand[]> {
  await derived.catchUp();
  const [rows, totals] = await Promise.all([
    db.kysely.selectFrom('brands').selectAll().orderBy('slug').execute(),
    withAnalyticsTables(db.kysely)
      .selectFrom('rollup_daily')
      .select((eb) => [
        'brand_id',
        eb.fn.sum<number | string>('event_count').as('events'),
        eb.fn.max<number | null>('last_at').as('last_at'),
      ])
      .where('grain', '=', 'm')
      .groupBy('brand_id')
      .execute(),
  ]);
  const slugById = new Map(rows.map((r) => [Number(r.id), r.slug]));
  const totalsById = new Map(totals.map((t) => [Number(t.brand_id), t]));
  const aliasesOf = new Map<number, string[]>();
  for (const r of rows) {
    if (r.alias_of === null) continue;
    const list = aliasesOf.get(Number(r.alias_of)) ?? [];
    list.push(r.slug);
    aliasesOf.set(Number(r.alias_of), list);
  }
  return rows.map((r) => {
    const t = totalsById.get(Number(r.id));
    const events = Number(t?.events ?? 0);
    return {
      id: Number(r.id),
      slug: r.slug,
      name: r.name,
      blocked: r.is_blocked === 1,
      aliasOf: r.alias_of === null ? null : (slugById.get(Number(r.alias_of)) ?? null),
      aliases: aliasesOf.get(Number(r.id)) ?? [],
      events,
      lastEventAt: events > 0 && t?.last_at ? new Date(Number(t.last_at)).toISOString() : null,
      createdAt: new Date(Number(r.created_at)).toISOString(),
    };
  });
}

async function findAdminBrand(deps: BrandAdminDeps, id: number): Promise<AdminBrand> {
  const found = (await listAdminBrands(deps)).find((b) => b.id === id);
  if (!found) throw new AppError('not_found', `brand ${id} no longer exists`);
  return found;
}

/** Renames and/or blocks or unblocks a brand. An alias follows its brand's block: refused here. */
export async function updateBrand(
  deps: BrandAdminDeps,
  rawSlug: string,
  input: unknown,
  actor: Actor,
  now = Date.now(),
): Promise<AdminBrand> {
  const patch = parseOrThrow(brandPatchSchema, input);
  const slug = normaliseBrandSlug(rawSlug);
  const { db } = deps;
  const id = await db.kysely.transaction().execute(async (trx) => {
    await holdBrandsExclusive(trx, db.dialect);
    const row = await trx.selectFrom('brands').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!row) throw new AppError('not_found', `no brand "${slug}"`, { field: 'slug' });
    const target =
      row.alias_of === null
        ? null
        : await trx.selectFrom('brands').selectAll().where('id', '=', row.alias_of).executeTakeFirst();
    if (patch.blocked !== undefined && target)
      throw new AppError(
        'conflict',
        `"${slug}" is merged into "${target.slug}": its postbacks follow that brand, block "${target.slug}" instead`,
        { field: 'blocked' },
      );
    const name = patch.name ?? row.name;
    const blocked = patch.blocked === undefined ? row.is_blocked : patch.blocked ? 1 : 0;
    if (name === row.name && blocked === row.is_blocked) return Number(row.id);
    await trx.updateTable('brands').set({ name, is_blocked: blocked }).where('id', '=', row.id).execute();
    await bumpBrandsVersion(trx, now);
    const aliasOf = target?.slug ?? null;
    await recordAudit(
      trx,
      actor,
      {
        action: 'brand.update',
        targetType: 'brand',
        targetId: row.id,
        before: auditedBrand(row, aliasOf),
        after: auditedBrand({ ...row, name, is_blocked: blocked }, aliasOf),
      },
      now,
    );
    return Number(row.id);
  });
  await deps.brands.refresh();
  return findAdminBrand(deps, id);
}

export interface MergeResult {
  /** The brand that now holds everything. */
  brand: AdminBrand;
  merged: string;
  moved: MovedRows & { aliases: string[] };
}

/**
 * Merges brand `rawSlug` into `into`: its stored events and rollups move to the target, its slug
 * (and the slugs already merged into it) resolve to the target from now on. One transaction.
 */
export async function mergeBrand(
  deps: BrandAdminDeps,
  rawSlug: string,
  input: unknown,
  actor: Actor,
  now = Date.now(),
): Promise<MergeResult> {
  const { into } = parseOrThrow(brandMergeSchema, input);
  const slug = normaliseBrandSlug(rawSlug);
  const intoSlug = normaliseBrandSlug(into);
  if (intoSlug === slug)
    throw new AppError('bad_request', 'a brand cannot be merged into itself', { field: 'into' });
  const { db } = deps;
  const result = await db.kysely.transaction().execute(async (trx) => {
    await holdBrandsExclusive(trx, db.dialect);
    // No folding of derived rollups while their rows move (the folder takes the same lock).
    await lockFolder(trx, db.dialect);
    const [source, target] = await Promise.all(
      [slug, intoSlug].map((s) =>
        trx.selectFrom('brands').selectAll().where('slug', '=', s).executeTakeFirst(),
      ),
    );
    if (!source) throw new AppError('not_found', `no brand "${slug}"`, { field: 'slug' });
    if (!target) throw new AppError('not_found', `no brand "${intoSlug}" to merge into`, { field: 'into' });
    if (source.alias_of !== null) {
      const owner = await trx
        .selectFrom('brands')
        .select('slug')
        .where('id', '=', source.alias_of)
        .executeTakeFirst();
      throw new AppError('conflict', `"${slug}" is already merged into "${owner?.slug ?? '?'}"`, {
        field: 'slug',
      });
    }
    if (target.alias_of !== null) {
      const owner = await trx
        .selectFrom('brands')
        .select('slug')
        .where('id', '=', target.alias_of)
        .executeTakeFirst();
      throw new AppError(
        'conflict',
        `"${intoSlug}" is itself merged into "${owner?.slug ?? '?'}": merge into that brand instead`,
        { field: 'into' },
      );
    }
    if (source.is_blocked === 1)
      throw new AppError(
        'conflict',
        `"${slug}" is blocked: unblock it first (after a merge its postbacks follow "${intoSlug}")`,
        { field: 'slug' },
      );

    const aliases = await trx.selectFrom('brands').select('slug').where('alias_of', '=', source.id).execute();
    const moved = await moveBrandRows(trx, db.dialect, Number(source.id), Number(target.id));
    // Flattened: what was merged into the source now points at the target directly (no chains).
    await trx.updateTable('brands').set({ alias_of: target.id }).where('alias_of', '=', source.id).execute();
    await trx.updateTable('brands').set({ alias_of: target.id }).where('id', '=', source.id).execute();
    await bumpBrandsVersion(trx, now);
    const aliasSlugs = aliases.map((a) => a.slug).sort();
    await recordAudit(
      trx,
      actor,
      {
        action: 'brand.merge',
        targetType: 'brand',
        targetId: source.id,
        before: { brand: auditedBrand(source, null), into: auditedBrand(target, null), aliases: aliasSlugs },
        after: {
          brand: auditedBrand(source, target.slug),
          into: auditedBrand(target, null),
          moved: { ...moved, aliases: aliasSlugs },
        },
      },
      now,
    );
    return { targetId: Number(target.id), moved: { ...moved, aliases: aliasSlugs } };
  });
  await deps.brands.refresh();
  return { brand: await findAdminBrand(deps, result.targetId), merged: slug, moved: result.moved };
}
