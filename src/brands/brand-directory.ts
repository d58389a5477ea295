/**
 * Brand slugs -> brand ids as the writer needs them: a slug seen for the first time creates the
 * brand (brands appear on their first accepted event), a merged alias resolves to its target,
 * and blocked slugs are known to the validation step without a query.
 *
 * The cache must never make the writer store an event under a merged-away id. Every admin change
 * bumps a version (brand-version.ts) under an exclusive lock; each write transaction takes the
 * shared side of that lock and compares the version with its cache's, reloading inside the
 * transaction when they differ. So a writer holding its own directory (the SQLite writer thread,
 * another instance) follows a merge from its very next batch, and no batch can interleave with one.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { holdBrandsShared, readBrandsVersion } from './brand-version.js';

export interface BrandEntry {
  id: number;
  /** The brand events are counted under: itself, or the brand it was merged into. */
  effectiveId: number;
  /** Postbacks are refused; an alias follows the brand it was merged into. */
  blocked: boolean;
}

interface Snapshot {
  /** The brands version the rows were read at (or after); -1 = nothing loaded. */
  version: number;
  bySlug: Map<string, BrandEntry>;
}

const empty = (): Snapshot => ({ version: -1, bySlug: new Map() });

/** Brand slugs are case-insensitive: `BritSino` and `britsino` are one brand. */
export function normaliseBrandSlug(raw: string): string {
  return raw.trim().toLowerCase();
}

interface BrandStateRow {
  id: number;
  slug: string;
  is_blocked: number;
  alias_of: number | null;
}

function entriesOf(
  rows: BrandStateRow[],
  known: Map<string, BrandEntry> = new Map(),
): Map<string, BrandEntry> {
  const blockedById = new Map<number, boolean>();
  for (const entry of known.values()) blockedById.set(entry.id, entry.blocked);
  for (const row of rows) if (row.alias_of === null) blockedById.set(Number(row.id), row.is_blocked === 1);
  const out = new Map<string, BrandEntry>();
  for (const row of rows) {
    const effectiveId = Number(row.alias_of ?? row.id);
    out.set(row.slug, {
      id: Number(row.id),
      effectiveId,
      blocked: blockedById.get(effectiveId) ?? row.is_blocked === 1,
    });
  }
  return out;
}

/** Reads the version first, then the rows: the rows are at least as new as the version says. */
async function loadSnapshot(executor: Kysely<Database>): Promise<Snapshot> {
  const version = await readBrandsVersion(executor);
  const rows = await executor.selectFrom('brands').select(['id', 'slug', 'is_blocked', 'alias_of']).execute();
  return { version, bySlug: entriesOf(rows) };
}

export class BrandDirectory {
  private snapshot: Snapshot = empty();
  private loadedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(executor: Kysely<Database> = this.db.kysely): Promise<void> {
    this.adopt(await loadSnapshot(executor));
    this.loadedAt = this.now();
  }

  /** A load that finishes late (started before a change) never replaces a newer one. */
  private adopt(next: Snapshot): void {
    if (next.version >= this.snapshot.version) this.snapshot = next;
  }

  /** Cached lookup for the validation step; refreshed at once by local changes, else every few seconds. */
  peek(slug: string): BrandEntry | undefined {
    if (this.now() - this.loadedAt > this.maxAgeMs) {
      this.loadedAt = this.now();
      void this.refresh().catch(() => undefined);
    }
    return this.snapshot.bySlug.get(slug);
  }

  /**
   * Resolves slugs to the ids events are stored under, inside the write transaction, creating
   * brands not seen before. Holds the brands lock (shared) until the transaction ends.
   */
  async resolveForWrite(
    trx: Kysely<Database>,
    slugs: Iterable<string>,
    now: number,
  ): Promise<Map<string, number>> {
    await holdBrandsShared(trx, this.db.dialect);
    let snap = this.snapshot;
    if (snap.version !== (await readBrandsVersion(trx))) {
      snap = await loadSnapshot(trx);
      this.adopt(snap);
      this.loadedAt = this.now();
    }
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const slug of new Set(slugs)) {
      const entry = snap.bySlug.get(slug);
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
    for (const [slug, entry] of entriesOf(rows, snap.bySlug)) {
      snap.bySlug.set(slug, entry);
      out.set(slug, entry.effectiveId);
    }
    return out;
  }

  /** Forgets everything (after a rolled-back write, whose new brand ids never existed). */
  invalidate(): void {
    this.snapshot = empty();
    this.loadedAt = 0;
  }
}
