import { afterEach, describe, expect, it, vi } from 'vitest';
import { catchUpWithin, ReadCatchUp } from './derived-rollups.js';

/** A folder whose catch-up settles when the test says so. */
function manualFolder() {
  let settle: { resolve: (n: number) => void; reject: (e: unknown) => void } | null = null;
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    catchUp: () =>
      new Promise<number>((resolve, reject) => {
        calls++;
        settle = { resolve, reject };
      }),
    resolve: (n: number) => settle?.resolve(n),
    reject: (e: unknown) => settle?.reject(e),
  };
}

describe('catchUpWithin', () => {
  it('is true when the fold ends in time', async () => {
    const folder = manualFolder();
    const waiting = catchUpWithin(folder, 1000);
    folder.resolve(3);
    await expect(waiting).resolves.toBe(true);
    expect(folder.calls).toBe(1);
  });

  it('is false once the time runs out, and a later failure of the fold is not thrown at anyone', async () => {
    const folder = manualFolder();
    const started = performance.now();
    await expect(catchUpWithin(folder, 30)).resolves.toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    folder.reject(new Error('fold failed later'));
    // An unhandled rejection would fail the run; give it a turn to surface.
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('throws a failure that comes in time', async () => {
    const folder = manualFolder();
    const waiting = catchUpWithin(folder, 1000);
    folder.reject(new Error('storage down'));
    await expect(waiting).rejects.toThrow('storage down');
  });
});

describe('ReadCatchUp', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the full time until a wait runs out, then briefly until a read finds the fold done', async () => {
    vi.useFakeTimers();
    const folder = manualFolder();
    const reads = new ReadCatchUp(() => folder, 100, 10);
    const start = () => {
      const state: { value?: boolean } = {};
      void reads.wait().then((v) => {
        state.value = v;
      });
      return state;
    };

    // The fold is slow: the read gives up after 100 ms.
    const first = start();
    await vi.advanceTimersByTimeAsync(99);
    expect(first.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(first.value).toBe(false);

    // Behind now: the next read waits 10 ms, not 100; a fold that ends later does not change that.
    const second = start();
    await vi.advanceTimersByTimeAsync(10);
    expect(second.value).toBe(false);
    folder.resolve(5);
    const third = start();
    await vi.advanceTimersByTimeAsync(10);
    expect(third.value).toBe(false);

    // A read that finds the fold done within its 10 ms ends the state: the next waits 100 ms again.
    const fourth = start();
    await vi.advanceTimersByTimeAsync(5);
    folder.resolve(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(fourth.value).toBe(true);
    const fifth = start();
    await vi.advanceTimersByTimeAsync(50);
    expect(fifth.value).toBeUndefined();
    folder.resolve(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(fifth.value).toBe(true);
  });
});
