/**
 * A binary min-heap of events by time, so the demo can emit player journeys (which reach days
 * into the future) in time order, as a live system would receive them.
 */
import type { CanonicalEvent } from '../domain.js';

export class TimeHeap {
  private readonly items: CanonicalEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: CanonicalEvent): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.time(parent) <= this.time(i)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The earliest event's time, or Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.time(0);
  }

  pop(): CanonicalEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && this.time(l) < this.time(smallest)) smallest = l;
        if (r < items.length && this.time(r) < this.time(smallest)) smallest = r;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  private time(i: number): number {
    return (this.items[i] as CanonicalEvent).occurredAt.getTime();
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const t = items[a] as CanonicalEvent;
    items[a] = items[b] as CanonicalEvent;
    items[b] = t;
  }
}
