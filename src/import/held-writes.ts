/**
 * All-or-nothing storage for an import (the web import): rows go through a pipeline of their own
 * (the real Ingestor, so parsing, mapping, validation and rejection records are the postback's),
 * whose writer holds every event and rejection record in memory instead of storing it. `commit`
 * then writes everything held with one `storeBatch` call: one transaction, so either every row of
 * the file is stored (events, hourly rollups, rollup queue, Telegram outbox, rejections) or, when
 * storage fails at any point, none is. It never writes anything before `commit`.
 *
 * The price is memory (every accepted row until the end) and one long write transaction, so the
 * caller caps the rows; on SQLite that transaction holds the write lock while it runs.
 */
import type { AppContext } from '../context.js';
import { Ingestor } from '../ingest/ingestor.js';
import { storeBatch, type WriteItem, type WriteResult } from '../ingest/store-batch.js';

/** A held event's verdict carries this placeholder id: -(its position among the held items + 1). */
function placeholderId(index: number): number {
  return -(index + 1);
}

export type HeldOutcome = 'accepted' | 'duplicate';

export class HeldWrites {
  private readonly items: WriteItem[] = [];
  /** The pipeline whose verdicts are provisional: "accepted" means "valid, held for the commit". */
  readonly ingestor: Ingestor;

  constructor(
    private readonly ctx: AppContext,
    batchMax: number,
  ) {
    this.ingestor = new Ingestor(
      ctx.db,
      ctx.sources,
      ctx.brands,
      { flushMs: 0, batchMax, queueMax: Number.MAX_SAFE_INTEGER },
      async (items) => this.hold(items),
    );
  }

  private hold(items: WriteItem[]): WriteResult[] {
    return items.map((item): WriteResult => {
      const index = this.items.push(item) - 1;
      return item.kind === 'event'
        ? { kind: 'accepted', eventId: placeholderId(index) }
        : { kind: 'rejection-logged' };
    });
  }

  /**
   * Stores everything held in one transaction. Returns the outcome of each held event, by the
   * placeholder id its provisional verdict carried. Throws (having stored nothing) on failure.
   */
  async commit(): Promise<Map<number, HeldOutcome>> {
    await this.ingestor.close();
    const outcomes = new Map<number, HeldOutcome>();
    if (this.items.length === 0) return outcomes;
    const results = await storeBatch(this.ctx.db, this.ctx.brands, this.items);
    results.forEach((result, index) => {
      if (result.kind !== 'rejection-logged') outcomes.set(placeholderId(index), result.kind);
    });
    return outcomes;
  }

  /** The brands (slugs) of the held events, first seen first, at most `limit`. */
  brands(limit: number): string[] {
    const seen = new Set<string>();
    for (const item of this.items) {
      if (seen.size >= limit) break;
      if (item.kind === 'event') seen.add(item.event.brand);
    }
    return [...seen];
  }

  /** The earliest and latest event time of the held events (epoch ms), or null when none. */
  span(): { from: number; to: number } | null {
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const item of this.items) {
      if (item.kind !== 'event') continue;
      const at = item.event.occurredAt.getTime();
      from = Math.min(from, at);
      to = Math.max(to, at);
    }
    return from <= to ? { from, to } : null;
  }

  /** Drops everything held (an interrupted or failed import). */
  async discard(): Promise<void> {
    await this.ingestor.close();
    this.items.length = 0;
  }
}
