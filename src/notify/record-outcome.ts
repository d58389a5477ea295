/**
 * What one Bot API answer means for the deliveries a message stood for, written down: sent (or
 * digested); 429 → pending again, due when `retry_after` has passed, no attempt counted, and the
 * chat's schedule pushed past it; 400/401/403/404 → failed for good with Telegram's reason (and
 * the bot reported when its chat or token is the problem); 5xx, timeout or network error → retried
 * after exponential backoff with jitter, failed for good once the attempts run out. Returns what
 * the sender must do with the messages still planned. Never calls Telegram.
 */

import type { Db } from '../db/connect.js';
import type { ApiOutcome, SentMessage } from './bot-api.js';
import { pushPacing } from './claim-lane.js';
import { type Held, recordFailed, recordRetry, recordSent } from './delivery-results.js';
import { backoffMs } from './pacing.js';

export type NextStep =
  | { kind: 'continue' }
  /** No call with this Telegram bot before `until`. */
  | { kind: 'block-bot'; until: number }
  /** This chat's other planned messages wait until `until`. */
  | { kind: 'pause-chat'; until: number };

export interface OutcomeContext {
  db: Db;
  holder: string;
  now: number;
  pacingKey: string;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Runs a write, retrying briefly. */
  persist(write: () => Promise<unknown>): Promise<void>;
  warn(details: Record<string, unknown>, message: string): void;
  /** Telegram refused the bot's chat or token for good. */
  refused(description: string): void;
}

export async function recordOutcome(
  c: OutcomeContext,
  /** The rows the message stood for, and the most attempts any of them had before this one. */
  message: { rows: Held; attempts: number },
  outcome: ApiOutcome<SentMessage>,
): Promise<NextStep> {
  const { db, holder, now } = c;
  const { rows } = message;
  if (outcome.kind === 'ok') {
    const messageId = Number(outcome.result?.message_id);
    const expected = 'ids' in rows ? rows.ids.length : rows.size;
    await c.persist(async () => {
      const updated = await recordSent(db, rows, holder, {
        now,
        messageId: Number.isSafeInteger(messageId) ? messageId : null,
      });
      if (updated < expected)
        c.warn(
          { expected, updated },
          'notify: sent deliveries whose claim had been lost (possible duplicate)',
        );
    });
    return { kind: 'continue' };
  }
  if (outcome.kind === 'rate_limited') {
    const until = now + outcome.retryAfterMs;
    await c.persist(async () => {
      await recordRetry(db, rows, holder, { dueAt: until, error: outcome.description, countAttempt: false });
      await pushPacing(db, c.pacingKey, until);
    });
    return { kind: 'block-bot', until };
  }
  if (outcome.kind === 'permanent') {
    await c.persist(() =>
      recordFailed(db, rows, holder, { now, error: outcome.description, countAttempt: true }),
    );
    const chatProblem =
      outcome.status !== 400 || /chat not found|chat_id|kicked|blocked/i.test(outcome.description);
    if (chatProblem) c.refused(outcome.description);
    return { kind: 'continue' };
  }
  // Transient: rows out of attempts fail for good; the rest retry after the backoff, and the
  // chat's other planned messages wait with them.
  const until = now + backoffMs(message.attempts + 1, c.backoffBaseMs, c.backoffMaxMs);
  await c.persist(async () => {
    await recordFailed(db, rows, holder, {
      now,
      error: `gave up after ${c.maxAttempts} attempts: ${outcome.reason}`,
      countAttempt: true,
      atLimit: c.maxAttempts,
    });
    await recordRetry(db, rows, holder, { dueAt: until, error: outcome.reason, countAttempt: true });
  });
  return { kind: 'pause-chat', until };
}
