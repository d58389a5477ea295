import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../domain.js';
import { TimeHeap } from './time-heap.js';

const at = (t: number, tag: number) => ({ occurredAt: new Date(t), rawEvent: String(tag) }) as CanonicalEvent;

describe('TimeHeap', () => {
  it('hands events out in time order, each once, whatever the order of pushes and pops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(-1)), { maxLength: 300 }),
        (script) => {
          const heap = new TimeHeap();
          const pending: number[] = [];
          const out: number[] = [];
          script.forEach((step, tag) => {
            if (step >= 0) {
              heap.push(at(step, tag));
              pending.push(step);
              return;
            }
            const earliest = pending.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...pending);
            expect(heap.peekTime()).toBe(earliest);
            const event = heap.pop();
            if (pending.length === 0) expect(event).toBeUndefined();
            else {
              expect(event?.occurredAt.getTime()).toBe(earliest);
              pending.splice(pending.indexOf(earliest), 1);
            }
          });
          while (heap.size > 0) out.push(heap.pop()?.occurredAt.getTime() ?? -1);
          expect(out).toEqual([...pending].sort((a, b) => a - b));
          expect(heap.peekTime()).toBe(Number.POSITIVE_INFINITY);
        },
      ),
    );
  });
});
