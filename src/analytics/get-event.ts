/**
 * One event with every raw field, for the detail panel. A primary-key lookup; AppError not_found
 * when the id does not exist.
 */
import type { Db } from '../db/connect.js';
import { AppError } from '../errors.js';
import { loadNames, toListItem } from './event-rows.js';

export async function getEvent(db: Db, id: number) {
  const row = await db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `no event ${id}`, { field: 'id' });
  const names = await loadNames(db.kysely);
  return {
    ...toListItem(row, names),
    raw_event: row.raw_event,
    external_uid: row.external_uid,
    transaction_id: row.transaction_id,
    traffic_source: row.traffic_source,
    sender: row.sender,
    sheet: row.sheet,
    broken_fields: row.broken_fields === null ? [] : row.broken_fields.split(','),
    raw_query: row.raw_query,
    raw_body: row.raw_body,
    ip: row.ip,
  };
}
