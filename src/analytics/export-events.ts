/**
 * Events export: the full filtered log (newest first), up to the row-limit setting, as rows for
 * writeExport. Reads in keyset chunks on (occurred_at, id) through the occurred_at index, so memory
 * stays constant and late pages cost the same as early ones. Times are given in UTC (ISO 8601) and
 * in the requested IANA time zone (`local` column, "YYYY-MM-DD HH:MM:SS").
 */
import type { Db } from '../db/connect.js';
import { applyEventFilter, type EventFilter, matchesNothingEvents } from './event-filter.js';
import { LIST_COLUMNS, type ListEventRow, loadNames, toListItem } from './event-rows.js';
import type { Cell } from './write-export.js';

export const EVENT_EXPORT_HEADER = [
  'id',
  'time_utc',
  'time_local',
  'received_utc',
  'type',
  'brand',
  'source',
  'affiliate_id',
  'sub_id',
  'tracking_tag',
  'amount',
  'currency',
  'country',
  'is_test',
  'broken_macro',
];

const CHUNK = 5000;

/** Formats epoch ms in a time zone; the offset is computed once per hour, not per row. */
export function localFormatter(timeZone: string): (t: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offsets = new Map<number, number>();
  return (t) => {
    const hour = Math.floor(t / 3_600_000);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const p = Object.fromEntries(fmt.formatToParts(hour * 3_600_000).map((x) => [x.type, x.value]));
      offset =
        Date.UTC(
          Number(p.year),
          Number(p.month) - 1,
          Number(p.day),
          Number(p.hour),
          Number(p.minute),
          Number(p.second),
        ) -
        hour * 3_600_000;
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(hour, offset);
    }
    return new Date(t + offset).toISOString().slice(0, 19).replace('T', ' ');
  };
}

export async function* exportEventRows(
  db: Db,
  f: EventFilter,
  limit: number,
  timeZone: string,
): AsyncGenerator<Cell[]> {
  if (matchesNothingEvents(f)) return;
  const names = await loadNames(db.kysely);
  const local = localFormatter(timeZone);
  let cursor: { at: number; id: number } | null = null;
  let left = limit;
  while (left > 0) {
    const c = cursor;
    const base = db.kysely.selectFrom('events').select([...LIST_COLUMNS]);
    // After the first chunk the cursor is the only upper bound (`occurred_at < at + 1` in place of
    // the filter's `to`): SQLite uses one upper bound for the index range, and given both it took
    // `to` and walked down from the top of the range again for every chunk.
    let q =
      c === null ? applyEventFilter(base, f) : applyEventFilter(base, f, { from: f.from, to: c.at + 1 });
    if (c !== null)
      q = q.where((eb) =>
        eb.or([eb('occurred_at', '<', c.at), eb.and([eb('occurred_at', '=', c.at), eb('id', '<', c.id)])]),
      );
    const rows = (await q
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(CHUNK, left))
      .execute()) as ListEventRow[];
    for (const r of rows) {
      const e = toListItem(r, names);
      yield [
        e.id,
        e.time,
        local(Number(r.occurred_at)),
        e.received_at,
        e.type,
        e.brand,
        e.source,
        e.affiliate_id,
        e.sub_id,
        e.tracking_tag,
        e.amount,
        e.currency,
        e.country,
        e.is_test ? 1 : 0,
        e.broken_macro,
      ];
    }
    left -= rows.length;
    const last = rows.at(-1);
    if (rows.length < CHUNK || !last) return;
    cursor = { at: Number(last.occurred_at), id: Number(last.id) };
  }
}
