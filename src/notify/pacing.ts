/**
 * Pacing arithmetic, pure. Each chat gets evenly spaced send slots (1 s apart for a private chat,
 * 3 s for a group or channel: Telegram's ≈ 1/s per chat and 20/min per group), reserved from the
 * chat's shared "next free slot" so every instance keeps to one schedule. A backlog that cannot go
 * out within the longest allowed lag is folded into one digest in the last slot inside that lag,
 * instead of falling behind. Also the retry backoff (exponential, with jitter).
 */

export interface PacingSettings {
  chatIntervalMs: number;
  groupIntervalMs: number;
  maxLagMs: number;
}

/** Groups, supergroups and channels have negative ids (or an @username): the stricter limit. */
export function isGroupChat(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}

export function chatIntervalOf(
  chatId: string,
  s: Pick<PacingSettings, 'chatIntervalMs' | 'groupIntervalMs'>,
): number {
  return isGroupChat(chatId) ? Math.max(s.groupIntervalMs, s.chatIntervalMs) : s.chatIntervalMs;
}

export interface LanePlan {
  /** Send time of each message, `interval` apart; the last one is the digest when there is one. */
  slots: number[];
  /** How many of the due deliveries go out one message each (the oldest ones). */
  single: number;
  /** How many go out together in the digest (0 = no digest). */
  digested: number;
  /** The chat's next free slot after this plan. */
  nextAt: number;
}

/** How many slots a chat has free between now and now + maxLag; 0 when its schedule is full. */
export function freeSlots(now: number, nextAt: number, interval: number, maxLagMs: number): number {
  const start = Math.max(now, nextAt);
  const horizon = now + maxLagMs;
  return start > horizon ? 0 : Math.floor((horizon - start) / interval) + 1;
}

/**
 * Plans `due` deliveries (oldest first) into a chat's free slots: one message each while they fit,
 * otherwise all but the last free slot one each and the rest in one digest. Null when no slot is
 * free before now + maxLag or nothing is due.
 */
export function planLane(
  now: number,
  nextAt: number,
  interval: number,
  maxLagMs: number,
  due: number,
): LanePlan | null {
  const free = freeSlots(now, nextAt, interval, maxLagMs);
  if (free === 0 || due === 0) return null;
  const start = Math.max(now, nextAt);
  const single = due <= free ? due : free - 1;
  const digested = due - single;
  const messages = single + (digested > 0 ? 1 : 0);
  const slots = Array.from({ length: messages }, (_, i) => start + i * interval);
  return { slots, single, digested, nextAt: start + messages * interval };
}

/**
 * Wait before retry number `attempt` (1 = after the first failure): base · 2^(attempt-1), capped,
 * with "equal jitter" (half fixed, half random) so retries from many deliveries spread out.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exp / 2 + random() * (exp / 2));
}
