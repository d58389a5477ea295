import { describe, expect, it } from 'vitest';
import { catchUpWithin } from './derived-rollups.js';

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
