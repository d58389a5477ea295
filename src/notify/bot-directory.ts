/**
 * The bots, held in memory for the postback path (scope matching) and the sender (token, chat,
 * template), refreshed from the database every few seconds so another instance's edits arrive,
 * and at once after a local edit. The hot path never waits for it: a stale list is served while a
 * refresh runs in the background. Never exposes a token beyond the sender.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { type BotScope, parseStoredScope } from './bot-scope.js';
import { type CompiledTemplate, compileTemplate, DEFAULT_TEMPLATE } from './message-template.js';
import { type BotRow, withNotifyTables } from './tables.js';

export interface CachedBot {
  id: number;
  name: string;
  token: string;
  /** Short hash of the token: the pacing and rate-limit key of the Telegram bot behind it. */
  tokenKey: string;
  chatId: string;
  isActive: boolean;
  scope: BotScope;
  template: CompiledTemplate;
}

export function tokenKeyOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

const DEFAULT_COMPILED = compileTemplate(DEFAULT_TEMPLATE);

/** A stored template that no longer compiles falls back to the default rather than failing sends. */
export function templateOf(source: string | null): CompiledTemplate {
  if (source === null) return DEFAULT_COMPILED;
  try {
    return compileTemplate(source);
  } catch {
    return DEFAULT_COMPILED;
  }
}

function toCached(row: BotRow): CachedBot {
  return {
    id: Number(row.id),
    name: row.name,
    token: row.token,
    tokenKey: tokenKeyOf(row.token),
    chatId: row.chat_id,
    isActive: row.is_active === 1,
    scope: parseStoredScope(row.scope),
    template: templateOf(row.template),
  };
}

export class BotDirectory {
  private byId = new Map<number, CachedBot>();
  private active: CachedBot[] = [];
  private sourceIds = new Map<string, number>();
  private loadedAt = 0;
  private loaded = false;
  private loading: Promise<void> | null = null;
  /** Bumped on every reload, so callers can cache what they derive from the list. */
  version = 0;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Reloads the bots. `executor` is the transaction to read through when called inside one (the
   * first load on the ingest path: SQLite's one connection is busy with that transaction).
   */
  refresh(executor: Kysely<Database> = this.db.kysely): Promise<void> {
    if (!this.loading) {
      this.loading = (async () => {
        const ndb = withNotifyTables(executor);
        const [rows, sources] = await Promise.all([
          ndb.selectFrom('bots').selectAll().orderBy('id').execute(),
          ndb.selectFrom('sources').select(['id', 'slug']).execute(),
        ]);
        const bots = rows.map(toCached);
        this.byId = new Map(bots.map((b) => [b.id, b]));
        this.active = bots.filter((b) => b.isActive);
        this.sourceIds = new Map(sources.map((s) => [s.slug, Number(s.id)]));
        this.loadedAt = this.now();
        this.loaded = true;
        this.version++;
      })().finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private refreshIfStale(): void {
    if (this.now() - this.loadedAt > this.maxAgeMs && !this.loading) {
      this.refresh().catch(() => {
        // Keep serving the list we have; the next call tries again.
        this.loadedAt = this.now() - this.maxAgeMs / 2;
      });
    }
  }

  /** Loads the list once if it never was (through `executor`); afterwards never waits. */
  async ensureLoaded(executor: Kysely<Database>): Promise<void> {
    if (!this.loaded) await this.refresh(executor);
  }

  /** The active bots, for matching in the ingest transaction. Never waits. */
  activeBots(): readonly CachedBot[] {
    this.refreshIfStale();
    return this.active;
  }

  get(id: number): CachedBot | undefined {
    this.refreshIfStale();
    return this.byId.get(id);
  }

  sourceId(slug: string): number | undefined {
    return this.sourceIds.get(slug);
  }
}
