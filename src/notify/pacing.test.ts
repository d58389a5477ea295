import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs, chatIntervalOf, freeSlots, isGroupChat, planLane } from './pacing.js';

describe('chat kinds', () => {
  it.each([
    ['123456', false],
    ['-1001234567890', true],
    ['-4567', true],
    ['@my_channel', true],
  ])('%s is a group: %s', (chat, group) => {
    expect(isGroupChat(chat)).toBe(group);
    expect(chatIntervalOf(chat, { chatIntervalMs: 1000, groupIntervalMs: 3000 })).toBe(group ? 3000 : 1000);
  });
});

describe('planLane', () => {
  it('sends everything one by one while it fits inside the allowed lag', () => {
    expect(planLane(1000, 0, 100, 1000, 3)).toEqual({
      slots: [1000, 1100, 1200],
      single: 3,
      digested: 0,
      nextAt: 1300,
    });
  });

  it('folds the overflow into one digest in the last free slot', () => {
    // 11 free slots (1000..2000); 500 due: 10 single, 490 in the digest at 2000.
    const plan = planLane(1000, 0, 100, 1000, 500);
    expect(plan?.single).toBe(10);
    expect(plan?.digested).toBe(490);
    expect(plan?.slots.at(-1)).toBe(2000);
  });

  it('plans nothing while the chat has no free slot inside the lag', () => {
    expect(freeSlots(1000, 2101, 100, 1000)).toBe(0);
    expect(planLane(1000, 2101, 100, 1000, 5)).toBeNull();
  });

  it('keeps every plan inside the pacing and the lag, and accounts for every delivery', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 10, max: 120_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        (now, ahead, interval, maxLag, due) => {
          const nextAt = now + ahead;
          const plan = planLane(now, nextAt, interval, maxLag, due);
          if (plan === null) {
            expect(due === 0 || freeSlots(now, nextAt, interval, maxLag) === 0).toBe(true);
            return;
          }
          expect(plan.single + plan.digested).toBe(due);
          expect(plan.slots.length).toBe(plan.single + (plan.digested > 0 ? 1 : 0));
          expect(plan.slots[0]).toBe(Math.max(now, nextAt));
          plan.slots.forEach((slot, i) => {
            if (i > 0) expect(slot - (plan.slots[i - 1] ?? 0)).toBe(interval);
            expect(slot).toBeLessThanOrEqual(now + maxLag);
          });
          expect(plan.nextAt).toBe((plan.slots.at(-1) ?? 0) + interval);
        },
      ),
    );
  });
});

describe('backoffMs', () => {
  it('doubles from the base, with jitter between half and all of it, up to the cap', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(30, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
