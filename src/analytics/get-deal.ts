/**
 * One deal (brand × source): the offending events — orphan FTDs (from orphan_ftds, joined to
 * their events) and the rejected postbacks recorded for that brand and source — newest first,
 * each list capped — and the Telegram deliveries of its events that failed for good.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { listFailedDeliveries } from '../notify/failed-deliveries.js';
import { type EventListItem, LIST_COLUMNS, type ListEventRow, loadNames, toListItem } from './event-rows.js';
import { withAnalyticsTables } from './tables.js';

export const DEAL_DETAIL_LIMIT = 500;

export async function getDeal(
  db: Db,
  brand: string,
  source: string,
  range: { from: number; to: number },
  testFlags: number[],
) {
  const found = await db.kysely
    .selectFrom('brands')
    .select(['id', 'slug', 'alias_of'])
    .where('slug', '=', brand.toLowerCase())
    .executeTakeFirst();
  if (!found) throw new AppError('not_found', `no brand ${brand}`, { field: 'brand' });
  // A merged alias shows its brand's deal; rejections keep the slug they arrived with, so the
  // brand's own slug and every alias's are searched.
  const brandId = Number(found.alias_of ?? found.id);
  const family = await db.kysely
    .selectFrom('brands')
    .select(['id', 'slug'])
    .where((eb) => eb.or([eb('id', '=', brandId), eb('alias_of', '=', brandId)]))
    .execute();
  const b = { id: brandId, slug: family.find((f) => Number(f.id) === brandId)?.slug ?? found.slug };
  const slugs = family.map((f) => f.slug);
  const s = await db.kysely
    .selectFrom('sources')
    .select(['id', 'slug'])
    .where('slug', '=', source.toLowerCase())
    .executeTakeFirst();
  if (!s) throw new AppError('not_found', `no source ${source}`, { field: 'source' });
  const adb = withAnalyticsTables(db.kysely);
  const orphanIds = await adb
    .selectFrom('orphan_ftds')
    .select('event_id')
    .where('brand_id', '=', Number(b.id))
    .where('source_id', '=', Number(s.id))
    .where('occurred_at', '>=', range.from)
    .where('occurred_at', '<', range.to)
    .where('is_test', 'in', testFlags)
    .orderBy('occurred_at', 'desc')
    .limit(DEAL_DETAIL_LIMIT)
    .execute();
  const ids = orphanIds.map((o) => Number(o.event_id));
  const names = await loadNames(db.kysely);
  const events =
    ids.length === 0
      ? []
      : ((await db.kysely
          .selectFrom('events')
          .select([...LIST_COLUMNS])
          .where('id', 'in', ids)
          .execute()) as ListEventRow[]);
  const orphanFtds: EventListItem[] = events
    .map((e) => toListItem(e, names))
    .sort((x, y) => (x.time < y.time ? 1 : x.time > y.time ? -1 : y.id - x.id));
  const rejections = await db.kysely
    .selectFrom('rejections')
    .select([
      'id',
      'first_seen_at',
      'last_seen_at',
      'attempts',
      'reason_code',
      'reason',
      'field',
      'method',
      'raw_query',
    ])
    .where('source_id', '=', Number(s.id))
    .where(sql`lower(brand_slug)`, 'in', slugs)
    .where('last_seen_at', '>=', range.from)
    .where('last_seen_at', '<', range.to)
    .orderBy('last_seen_at', 'desc')
    .limit(DEAL_DETAIL_LIMIT)
    .execute();
  return {
    brand: b.slug,
    source: s.slug,
    orphan_ftds: orphanFtds,
    rejections: rejections.map((r) => ({
      id: Number(r.id),
      first_seen_at: new Date(Number(r.first_seen_at)).toISOString(),
      last_seen_at: new Date(Number(r.last_seen_at)).toISOString(),
      attempts: Number(r.attempts),
      code: r.reason_code,
      reason: r.reason,
      field: r.field,
      method: r.method,
      raw_query: r.raw_query,
    })),
    failed_notifications: await listFailedDeliveries(
      db,
      { brandId: Number(b.id), sourceId: Number(s.id) },
      range,
      testFlags,
      DEAL_DETAIL_LIMIT,
    ),
  };
}
