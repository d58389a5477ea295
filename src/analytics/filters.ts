/**
 * The filters every analytics route shares: brand(s) and source(s) by slug, affiliate, test mode.
 * Resolves slugs to ids once per request (unknown slugs match nothing; they are not an error, so a
 * shared link to a renamed brand shows an empty view rather than failing). Never queries events.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export const TEST_MODES = ['production', 'test', 'all'] as const;
export type TestMode = (typeof TEST_MODES)[number];

export interface FilterQuery {
  brand?: string[] | undefined;
  source?: string[] | undefined;
  affiliate?: string | undefined;
  test?: TestMode | undefined;
}

export interface Filters {
  /** null = every brand. An empty list matches nothing. */
  brandIds: number[] | null;
  sourceIds: number[] | null;
  affiliateId: string | null;
  testFlags: number[];
}

export function testFlags(mode: TestMode): number[] {
  return mode === 'production' ? [0] : mode === 'test' ? [1] : [0, 1];
}

/** Brand slugs to ids, following merged aliases to the brand they count under. */
export async function resolveBrandIds(db: Kysely<Database>, slugs: string[]): Promise<number[]> {
  const wanted = [...new Set(slugs.map((s) => s.trim().toLowerCase()))];
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('brands').select(['id', 'alias_of']).where('slug', 'in', wanted).execute();
  return [...new Set(rows.map((r) => Number(r.alias_of ?? r.id)))];
}

export async function resolveSourceIds(db: Kysely<Database>, slugs: string[]): Promise<number[]> {
  const wanted = [...new Set(slugs.map((s) => s.trim().toLowerCase()))];
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('sources').select('id').where('slug', 'in', wanted).execute();
  return rows.map((r) => Number(r.id));
}

export async function resolveFilters(db: Kysely<Database>, q: FilterQuery): Promise<Filters> {
  return {
    brandIds: q.brand && q.brand.length > 0 ? await resolveBrandIds(db, q.brand) : null,
    sourceIds: q.source && q.source.length > 0 ? await resolveSourceIds(db, q.source) : null,
    affiliateId: q.affiliate ?? null,
    testFlags: testFlags(q.test ?? 'production'),
  };
}

/** True when a list filter cannot match anything (a slug that does not exist). */
export function matchesNothing(f: Filters): boolean {
  return (
    (f.brandIds !== null && f.brandIds.length === 0) || (f.sourceIds !== null && f.sourceIds.length === 0)
  );
}

/** Escapes a user's text for `lower(col) like lower(?)` with `\` as the escape character. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
