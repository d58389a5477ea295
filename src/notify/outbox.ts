/**
 * The outbox's write side. Inside the ingest transaction, `enqueueDeliveries` writes one delivery
 * per newly stored event × matching active bot, so an event and its notifications commit together
 * (a crash between store and send loses nothing; a duplicate postback stores no event and so no
 * delivery). Scopes are matched in memory against cached bots; the rows go in one statement per
 * batch (up to 5000 rows). With no active bot it returns before doing anything else.
 *
 * Each database connection has its bot list: the app's notifier binds its own (`bindOutbox`), and
 * a connection nobody bound — the SQLite writer thread's — gets one loaded on first use. Threads
 * tell each other through a BroadcastChannel named after the database: "deliveries written" wakes
 * the sender, "bots changed" reloads every bot list at once. Never sends and never waits for a
 * query of its own on the ingest path beyond that first load.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { BrandDirectory } from '../brands/brand-directory.js';
import type { Db } from '../db/connect.js';
import { type CounterTable, upsertCounters } from '../db/dialect.js';
import type { Database, NewEvent } from '../db/schema.js';
import { BotDirectory } from './bot-directory.js';
import { matchesScope, resolveScope } from './bot-scope.js';

type Signal = { type: 'enqueued' } | { type: 'bots-changed' };

interface Binding {
  bots: BotDirectory;
  channel: BroadcastChannel;
  /** Called after deliveries were written here (the transaction may not have committed yet). */
  onEnqueued(): void;
}

const bindings = new WeakMap<Db, Binding>();

function openChannel(db: Db, onSignal: (signal: Signal) => void): BroadcastChannel {
  const channel = new BroadcastChannel(`affpanel:notify:${db.url}`);
  channel.unref();
  channel.onmessage = (message) => {
    const data = (message as { data?: unknown }).data;
    if (typeof data === 'object' && data !== null && 'type' in data) onSignal(data as Signal);
  };
  return channel;
}

/**
 * Binds the app's bot list to its connection; `onEnqueued` runs when deliveries were written by
 * any thread. Returns a function that tells every thread the bots changed.
 */
export function bindOutbox(db: Db, bots: BotDirectory, onEnqueued: () => void): { botsChanged(): void } {
  const channel = openChannel(db, (signal) => {
    if (signal.type === 'enqueued') onEnqueued();
    else bots.refresh().catch(() => undefined);
  });
  bindings.get(db)?.channel.close();
  bindings.set(db, { bots, channel, onEnqueued });
  return { botsChanged: () => channel.postMessage({ type: 'bots-changed' } satisfies Signal) };
}

export function unbindOutbox(db: Db): void {
  bindings.get(db)?.channel.close();
  bindings.delete(db);
}

function bindingOf(db: Db): Binding {
  let binding = bindings.get(db);
  if (!binding) {
    const bots = new BotDirectory(db);
    const channel = openChannel(db, (signal) => {
      if (signal.type === 'bots-changed') bots.refresh().catch(() => undefined);
    });
    binding = { bots, channel, onEnqueued: () => channel.postMessage({ type: 'enqueued' } satisfies Signal) };
    bindings.set(db, binding);
  }
  return binding;
}

/**
 * The outbox rows' shape for `upsertCounters`: one JSON parameter per statement however many rows,
 * which costs far less to build and bind than a row of placeholders per delivery. The key is the
 * (bot, event) unique index; a row for an existing key — which ingest never produces, since only
 * newly stored events get here — would leave the one delivery there is.
 */
const OUTBOX_ROWS: CounterTable = {
  table: 'notify_deliveries',
  columns: [
    { name: 'bot_id', kind: 'int', merge: 'key' },
    { name: 'event_id', kind: 'int', merge: 'key' },
    { name: 'due_at', kind: 'int', merge: 'min' },
    { name: 'created_at', kind: 'int', merge: 'min' },
  ],
};

export async function enqueueDeliveries(
  trx: Kysely<Database>,
  db: Db,
  stored: readonly NewEvent[],
  brands: BrandDirectory,
  now = Date.now(),
): Promise<number> {
  if (stored.length === 0) return 0;
  const binding = bindingOf(db);
  await binding.bots.ensureLoaded(trx);
  const bots = binding.bots.activeBots();
  if (bots.length === 0) return 0;

  const scopes = bots.map((bot) => ({
    botId: bot.id,
    scope: resolveScope(
      bot.scope,
      (slug) => brands.peek(slug)?.effectiveId,
      (slug) => binding.bots.sourceId(slug),
    ),
  }));
  const rows: Array<[number, number, number, number]> = [];
  for (const event of stored) {
    for (const { botId, scope } of scopes) {
      if (matchesScope(scope, event)) rows.push([botId, event.id, now, now]);
    }
  }
  if (rows.length === 0) return 0;
  await upsertCounters(trx, db, OUTBOX_ROWS, rows);
  binding.onEnqueued();
  return rows.length;
}
