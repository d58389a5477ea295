/**
 * Reads the events stored since the last read, by id, for the live stream. Works across
 * processes: it reads the database, not the ingest path, so rows written by the SQLite writer
 * thread or by another instance on the same PostgreSQL are seen alike.
 *
 * Ids are not always committed in order: on PostgreSQL two instances draw ids from one sequence
 * and commit whenever their batches finish, so id 105 may become visible after 110. An id skipped
 * over is therefore remembered as a gap and looked for again for GAP_WAIT_MS (longer than any
 * batch transaction) before it is given up as a number that never became a row (a duplicate or
 * a rolled-back batch). On SQLite ids are MAX(id)+1 under the write lock and gaps do not occur.
 * Never writes.
 */

import {
  type EventListItem,
  LIST_COLUMNS,
  type ListEventRow,
  loadNames,
  toListItem,
} from '../analytics/event-rows.js';
import type { Db } from '../db/connect.js';

/** How long a skipped id is looked for again. */
export const GAP_WAIT_MS = 15_000;
/** The most skipped ids remembered at once; a larger hole (a failed bulk import) is not tracked. */
const MAX_GAPS = 2_000;
/** Bound parameters per `id in (…)` query. */
const GAP_CHUNK = 500;

export interface TailBatch {
  /** New rows in id order (late rows from gaps included), at most `limit`. */
  rows: EventListItem[];
  /** More new rows existed than `limit`: the reader skipped to the newest id and should resync. */
  overflow: boolean;
  /** The highest id read so far (the stream's Last-Event-ID). */
  cursor: number;
}

export async function maxEventId(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('max_id'))
    .executeTakeFirst();
  return Number(row?.max_id ?? 0);
}

async function toItems(db: Db, rows: ListEventRow[]): Promise<EventListItem[]> {
  if (rows.length === 0) return [];
  const names = await loadNames(db.kysely);
  return rows.map((r) => toListItem(r, names));
}

/** Rows with id > afterId in id order, at most `limit` (one more is read to tell if there are more). */
export async function readEventsAfter(
  db: Db,
  afterId: number,
  limit: number,
): Promise<{ rows: EventListItem[]; more: boolean; lastId: number }> {
  const raw = (await db.kysely
    .selectFrom('events')
    .select([...LIST_COLUMNS])
    .where('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(limit + 1)
    .execute()) as ListEventRow[];
  const more = raw.length > limit;
  const kept = more ? raw.slice(0, limit) : raw;
  const last = kept[kept.length - 1];
  return { rows: await toItems(db, kept), more, lastId: last ? Number(last.id) : afterId };
}

async function readIds(db: Db, ids: number[]): Promise<ListEventRow[]> {
  const out: ListEventRow[] = [];
  for (let i = 0; i < ids.length; i += GAP_CHUNK) {
    const chunk = ids.slice(i, i + GAP_CHUNK);
    out.push(
      ...((await db.kysely
        .selectFrom('events')
        .select([...LIST_COLUMNS])
        .where('id', 'in', chunk)
        .execute()) as ListEventRow[]),
    );
  }
  return out;
}

export class EventTail {
  private cursor = 0;
  /** Skipped id -> when to stop looking for it. */
  private readonly gaps = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts at the newest stored event: only what is stored from now on is new. */
  async start(): Promise<number> {
    this.cursor = await maxEventId(this.db);
    this.gaps.clear();
    return this.cursor;
  }

  get position(): number {
    return this.cursor;
  }

  async next(): Promise<TailBatch> {
    const late = await this.readLateRows();
    const fresh = (await this.db.kysely
      .selectFrom('events')
      .select([...LIST_COLUMNS])
      .where('id', '>', this.cursor)
      .orderBy('id', 'asc')
      .limit(this.limit + 1)
      .execute()) as ListEventRow[];
    if (fresh.length > this.limit) {
      // A burst (an import, a flood): skip to the newest id; readers refetch instead.
      this.cursor = await maxEventId(this.db);
      this.gaps.clear();
      return { rows: [], overflow: true, cursor: this.cursor };
    }
    for (const row of fresh) this.advanceTo(Number(row.id));
    this.expireGaps();
    const rows = [...late, ...fresh].sort((a, b) => Number(a.id) - Number(b.id));
    return { rows: await toItems(this.db, rows), overflow: false, cursor: this.cursor };
  }

  private async readLateRows(): Promise<ListEventRow[]> {
    if (this.gaps.size === 0) return [];
    const found = await readIds(this.db, [...this.gaps.keys()]);
    for (const row of found) this.gaps.delete(Number(row.id));
    return found;
  }

  /** Moves the cursor to `id`, remembering every id skipped on the way. */
  private advanceTo(id: number): void {
    const skipped = id - this.cursor - 1;
    if (skipped > 0 && skipped + this.gaps.size <= MAX_GAPS) {
      const until = this.now() + GAP_WAIT_MS;
      for (let missing = this.cursor + 1; missing < id; missing++) this.gaps.set(missing, until);
    }
    if (id > this.cursor) this.cursor = id;
  }

  private expireGaps(): void {
    const now = this.now();
    for (const [id, until] of this.gaps) if (until <= now) this.gaps.delete(id);
  }
}
