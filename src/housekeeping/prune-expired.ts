/**
 * Housekeeping: deletes bookkeeping rows that can no longer matter, so tables that grow with
 * every login, request or notification stay small for years of running:
 *   - sessions and one-time login links past their expiry,
 *   - Telegram login hashes older than the accepted login age (a replay is refused by age then),
 *   - rate-limit counters of windows long over,
 *   - Idempotency-Key records older than their retention (a retry after that is a new request),
 *   - notification deliveries that were sent (or digested/cancelled) long ago. Failed ones stay:
 *     the Deal Audit counts them.
 * Events, rejections, rollups and the audit log are never touched. Deletes go in bounded chunks so
 * a SQLite write lock is held only briefly; several instances may run it at once (deletes of
 * rows that are gone are no-ops).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { withNotifyTables } from '../notify/tables.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHUNK = 5_000;

export interface Retention {
  /** Telegram Login Widget data older than this is refused anyway. */
  telegramLoginMaxAgeMs: number;
  idempotencyKeysMs: number;
  deliveriesMs: number;
}

export const DEFAULT_RETENTION: Omit<Retention, 'telegramLoginMaxAgeMs'> = {
  idempotencyKeysMs: 7 * DAY,
  deliveriesMs: 30 * DAY,
};

export type PruneCounts = Record<
  | 'sessions'
  | 'login_links'
  | 'telegram_login_hashes'
  | 'rate_limits'
  | 'idempotency_keys'
  | 'notify_deliveries',
  number
>;

/** Deletes in chunks until fewer than a chunk is left; `del` deletes at most CHUNK rows. */
async function chunked(del: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await del();
    total += n;
    if (n < CHUNK) return total;
  }
}

const affected = (result: { numDeletedRows: bigint }[]): number =>
  result.reduce((sum, r) => sum + Number(r.numDeletedRows), 0);

export async function pruneExpired(
  db: Kysely<Database>,
  now: number,
  retention: Retention,
): Promise<PruneCounts> {
  const sessions = await chunked(async () =>
    affected(
      await db
        .deleteFrom('sessions')
        .where('id_hash', 'in', (eb) =>
          eb.selectFrom('sessions').select('id_hash').where('expires_at', '<', now).limit(CHUNK),
        )
        .execute(),
    ),
  );
  const loginLinks = await chunked(async () =>
    affected(
      await db
        .deleteFrom('login_links')
        .where('token_hash', 'in', (eb) =>
          eb.selectFrom('login_links').select('token_hash').where('expires_at', '<', now).limit(CHUNK),
        )
        .execute(),
    ),
  );
  // A day of margin past the accepted age: clocks of the Telegram data and ours may differ.
  const hashCutoff = now - retention.telegramLoginMaxAgeMs - DAY;
  const hashes = await chunked(async () =>
    affected(
      await db
        .deleteFrom('telegram_login_hashes')
        .where('hash', 'in', (eb) =>
          eb
            .selectFrom('telegram_login_hashes')
            .select('hash')
            .where('used_at', '<', hashCutoff)
            .limit(CHUNK),
        )
        .execute(),
    ),
  );
  // Windows are at most an hour long; a day-old counter can no longer limit anything.
  const limitCutoff = now - DAY;
  const limits = await chunked(async () =>
    affected(
      await db
        .deleteFrom('rate_limits')
        .where('bucket', 'in', (eb) =>
          eb.selectFrom('rate_limits').select('bucket').where('window_start', '<', limitCutoff).limit(CHUNK),
        )
        .execute(),
    ),
  );
  const keyCutoff = now - retention.idempotencyKeysMs;
  const keys = await chunked(async () =>
    affected(
      await db
        .deleteFrom('idempotency_keys')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('scope', 'key'),
            'in',
            selectFrom('idempotency_keys')
              .select(['scope', 'key'])
              .where('created_at', '<', keyCutoff)
              .limit(CHUNK)
              .$asTuple('scope', 'key'),
          ),
        )
        .execute(),
    ),
  );
  const deliveryCutoff = now - retention.deliveriesMs;
  const deliveries = await chunked(async () =>
    affected(
      await withNotifyTables(db)
        .deleteFrom('notify_deliveries')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('notify_deliveries')
            .select('id')
            .where('status', 'in', ['sent', 'digested', 'cancelled'])
            .where('finished_at', '<', deliveryCutoff)
            .limit(CHUNK),
        )
        .execute(),
    ),
  );
  return {
    sessions,
    login_links: loginLinks,
    telegram_login_hashes: hashes,
    rate_limits: limits,
    idempotency_keys: keys,
    notify_deliveries: deliveries,
  };
}
