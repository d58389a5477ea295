/**
 * Which events a bot announces: brands, sources, affiliates and event types (an empty list means
 * all), and whether test events are left out, included or the only ones. Parsed with zod on the way
 * in; resolved to ids once per ingest batch and matched in memory, so the postback path never
 * queries for it. A scope naming only unknown brands or sources matches nothing, never everything.
 * Pure: no I/O.
 */
import { z } from 'zod';
import { EVENT_TYPES } from '../domain.js';

export const TEST_EVENT_MODES = ['exclude', 'include', 'only'] as const;
export type TestEventMode = (typeof TEST_EVENT_MODES)[number];

const slug = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((s) => s.toLowerCase());

export const botScopeSchema = z.object({
  brands: z.array(slug).max(500).default([]),
  sources: z.array(slug).max(200).default([]),
  affiliates: z.array(z.string().trim().min(1).max(128)).max(2000).default([]),
  /** Empty = every type, CLICK included. */
  types: z.array(z.enum(EVENT_TYPES)).default(['REG', 'FTD', 'CPA']),
  testEvents: z.enum(TEST_EVENT_MODES).default('exclude'),
});

export type BotScope = z.infer<typeof botScopeSchema>;

/** Reads a stored scope; a damaged one matches nothing rather than everything. */
export function parseStoredScope(json: string): BotScope {
  try {
    const parsed = botScopeSchema.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  // A brand no event can have: the resolved brand set is empty, so nothing matches.
  return { brands: ['\u0000'], sources: [], affiliates: [], types: [], testEvents: 'include' };
}

/** What matching needs of an event: the columns of a stored event row. */
export interface ScopeEvent {
  brand_id: number;
  source_id: number;
  affiliate_id?: string | null;
  type: string;
  is_test: number;
}

export interface ResolvedScope {
  /** null = any. */
  brandIds: ReadonlySet<number> | null;
  sourceIds: ReadonlySet<number> | null;
  affiliates: ReadonlySet<string> | null;
  types: ReadonlySet<string> | null;
  testEvents: TestEventMode;
}

/**
 * Brand and source slugs to ids. A brand slug resolves to the brand its events count under, so a
 * merged alias matches the brand it was merged into.
 */
export function resolveScope(
  scope: BotScope,
  brandId: (slug: string) => number | undefined,
  sourceId: (slug: string) => number | undefined,
): ResolvedScope {
  const ids = (slugs: string[], lookup: (slug: string) => number | undefined) => {
    if (slugs.length === 0) return null;
    const out = new Set<number>();
    for (const s of slugs) {
      const id = lookup(s);
      if (id !== undefined) out.add(id);
    }
    return out;
  };
  return {
    brandIds: ids(scope.brands, brandId),
    sourceIds: ids(scope.sources, sourceId),
    // Affiliate ids are matched in any case: networks and managers write A1 and a1 alike.
    affiliates: scope.affiliates.length === 0 ? null : new Set(scope.affiliates.map((a) => a.toLowerCase())),
    types: scope.types.length === 0 ? null : new Set(scope.types),
    testEvents: scope.testEvents,
  };
}

export function matchesScope(scope: ResolvedScope, e: ScopeEvent): boolean {
  const isTest = e.is_test === 1;
  if (scope.testEvents === 'exclude' ? isTest : scope.testEvents === 'only' ? !isTest : false) return false;
  if (scope.types !== null && !scope.types.has(e.type)) return false;
  if (scope.brandIds !== null && !scope.brandIds.has(e.brand_id)) return false;
  if (scope.sourceIds !== null && !scope.sourceIds.has(e.source_id)) return false;
  if (
    scope.affiliates !== null &&
    (e.affiliate_id == null || !scope.affiliates.has(e.affiliate_id.toLowerCase()))
  )
    return false;
  return true;
}
