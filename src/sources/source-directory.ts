/**
 * The sources the postback path authenticates against, held in memory and refreshed from the
 * database every few seconds (so another instance's edits arrive) or at once after a local edit.
 * The hot path never queries the database for a source.
 */
import type { Db } from '../db/connect.js';
import { type CompiledSource, compileSource } from './compiled-source.js';

export class SourceDirectory {
  private bySlug = new Map<string, CompiledSource>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly maxAgeMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(): Promise<void> {
    if (!this.loading) {
      this.loading = (async () => {
        const rows = await this.db.kysely.selectFrom('sources').selectAll().execute();
        const next = new Map<string, CompiledSource>();
        for (const row of rows) next.set(row.slug, compileSource(row));
        this.bySlug = next;
        this.loadedAt = this.now();
      })().finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  /** Looks a source up by slug (case-insensitive), refreshing first when the cache is stale. */
  async get(slug: string): Promise<CompiledSource | undefined> {
    if (!this.isFresh()) {
      // A stale cache is still served if the refresh fails: storage errors surface on the write.
      await this.refresh().catch(() => undefined);
    }
    return this.peek(slug);
  }

  /** Whether get() would answer from the cache without refreshing it first. */
  isFresh(): boolean {
    return this.now() - this.loadedAt <= this.maxAgeMs;
  }

  /**
   * The cached source for a slug, however old the cache: for the postback path, which calls
   * get() only when isFresh() says a refresh is due, and so needs no promise per request.
   */
  peek(slug: string): CompiledSource | undefined {
    return this.bySlug.get(slug.toLowerCase());
  }

  list(): CompiledSource[] {
    return [...this.bySlug.values()];
  }
}
