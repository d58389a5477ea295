/**
 * A binary min-heap of events by time, so the demo can emit player journeys (which reach days
 * into the future) in time order, as a live system would receive them. The times are kept beside
 * the events: the heap holds millions at 10M events, and comparing through each event's Date
 * object was most of the generator's own time.
 */
import type { CanonicalEvent } from '../domain.js';

export class TimeHeap {
  private readonly items: CanonicalEvent[] = [];
  private readonly times: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: CanonicalEvent): void {
    const { items, times } = this;
    const time = event.occurredAt.getTime();
    let i = items.length;
    items.push(event);
    times.push(time);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime <= time) break;
      items[i] = items[parent] as CanonicalEvent;
      times[i] = parentTime;
      i = parent;
    }
    items[i] = event;
    times[i] = time;
  }

  /** The earliest event's time, or Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  pop(): CanonicalEvent | undefined {
    const { items, times } = this;
    const top = items[0];
    const last = items.pop();
    const lastTime = times.pop();
    const n = items.length;
    if (n === 0 || last === undefined || lastTime === undefined) return top;
    // Sift the last event down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && (times[r] as number) < (times[l] as number) ? r : l;
      const childTime = times[child] as number;
      if (childTime >= lastTime) break;
      items[i] = items[child] as CanonicalEvent;
      times[i] = childTime;
      i = child;
    }
    items[i] = last;
    times[i] = lastTime;
    return top;
  }
}
