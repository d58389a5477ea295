/**
 * Brand slugs -> brand ids as the writer needs them: a slug seen for the first time creates the
 * brand (brands appear on their first accepted event), a merged alias resolves to its target,
 * and blocked slugs are known to the validation step without a query.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';

export interface BrandEntry {
  id: number;
  /** The brand events are counted under: itself, or the brand it was merged into. */
  effectiveId: number;
  blocked: boolean;
}

/** Brand slugs are case-insensitive: `BritSino` and `britsino` are one brand. */
export function normaliseBrandSlug(raw: string): string {
  return raw.trim().toLowerCase();
}

export class BrandDirectory {
  private bySlug = new Map<string, BrandEntry>();
  private loadedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(executor: Kysely<Database> = this.db.kysely): Promise<void> {
    const rows = await executor
      .selectFrom('brands')
      .select(['id', 'slug', 'is_blocked', 'alias_of'])
      .execute();
    const next = new Map<string, BrandEntry>();
    for (const row of rows) {
      next.set(row.slug, { id: row.id, effectiveId: row.alias_of ?? row.id, blocked: row.is_blocked === 1 });
    }
    this.bySlug = next;
    this.loadedAt = this.now();
  }

  /** Cached lookup for the validation step; may be a few seconds stale. */
  peek(slug: string): BrandEntry | undefined {
    if (this.now() - this.loadedAt > this.maxAgeMs) {
      this.loadedAt = this.now();
      void this.refresh().catch(() => undefined);
    }
    return this.bySlug.get(slug);
  }

  /** Resolves slugs to ids inside the write transaction, creating brands not seen before. */
  async resolveForWrite(
    trx: Kysely<Database>,
    slugs: Iterable<string>,
    now: number,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const slug of new Set(slugs)) {
      const entry = this.bySlug.get(slug);
      if (entry) out.set(slug, entry.effectiveId);
      else missing.push(slug);
    }
    if (missing.length === 0) return out;
    await trx
      .insertInto('brands')
      .values(missing.map((slug) => ({ slug, name: slug, is_blocked: 0, alias_of: null, created_at: now })))
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
    const rows = await trx
      .selectFrom('brands')
      .select(['id', 'slug', 'is_blocked', 'alias_of'])
      .where('slug', 'in', missing)
      .execute();
    for (const row of rows) {
      const entry = { id: row.id, effectiveId: row.alias_of ?? row.id, blocked: row.is_blocked === 1 };
      this.bySlug.set(row.slug, entry);
      out.set(row.slug, entry.effectiveId);
    }
    return out;
  }

  /** Forgets everything (after a rolled-back write, whose new brand ids never existed). */
  invalidate(): void {
    this.bySlug = new Map();
    this.loadedAt = 0;
  }
}
