/**
 * How an event row leaves the API: ISO times, brand and source by slug, the amount as an exact
 * decimal string. Shared by the log, the detail panel and the recent feed; the events export reads
 * the same LIST_COLUMNS and names but builds its cells directly. Pure but for `loadNames`, which
 * reads the (small) brands and sources tables once per request.
 */
import type { Kysely } from 'kysely';
import type { Database, EventRow } from '../db/schema.js';
import { formatMicros } from '../ingest/normalise/amount.js';

export interface Names {
  brands: Map<number, string>;
  sources: Map<number, { slug: string; name: string }>;
}

export async function loadNames(db: Kysely<Database>): Promise<Names> {
  const [brands, sources] = await Promise.all([
    db.selectFrom('brands').select(['id', 'slug']).execute(),
    db.selectFrom('sources').select(['id', 'slug', 'name']).execute(),
  ]);
  return {
    brands: new Map(brands.map((b) => [Number(b.id), b.slug])),
    sources: new Map(sources.map((s) => [Number(s.id), { slug: s.slug, name: s.name }])),
  };
}

/** The columns the log and exports need (not the raw query/body). */
export const LIST_COLUMNS = [
  'id',
  'occurred_at',
  'received_at',
  'type',
  'brand_id',
  'source_id',
  'affiliate_id',
  'sub_id',
  'tracking_tag',
  'amount_micros',
  'currency',
  'country',
  'is_test',
  'broken_macro',
] as const;

export type ListEventRow = Pick<EventRow, (typeof LIST_COLUMNS)[number]>;

export interface EventListItem {
  id: number;
  time: string;
  received_at: string;
  type: string;
  brand: string;
  source: string;
  source_name: string;
  affiliate_id: string | null;
  sub_id: string | null;
  tracking_tag: string | null;
  amount: string | null;
  currency: string | null;
  country: string | null;
  is_test: boolean;
  broken_macro: string | null;
}

export function toListItem(r: ListEventRow, names: Names): EventListItem {
  const source = names.sources.get(Number(r.source_id));
  return {
    id: Number(r.id),
    time: new Date(Number(r.occurred_at)).toISOString(),
    received_at: new Date(Number(r.received_at)).toISOString(),
    type: r.type,
    brand: names.brands.get(Number(r.brand_id)) ?? String(r.brand_id),
    source: source?.slug ?? String(r.source_id),
    source_name: source?.name ?? String(r.source_id),
    affiliate_id: r.affiliate_id,
    sub_id: r.sub_id,
    tracking_tag: r.tracking_tag,
    amount: r.amount_micros === null ? null : formatMicros(BigInt(r.amount_micros)),
    currency: r.currency,
    country: r.country,
    is_test: Number(r.is_test) === 1,
    broken_macro: r.broken_macro,
  };
}
