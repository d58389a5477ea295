import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../errors.js';
import { WriteBuffer } from './write-buffer.js';

function recorder(options: { fail?: (batch: number[]) => boolean; delayMs?: number } = {}) {
  const batches: number[][] = [];
  const flush = async (items: number[]) => {
    batches.push([...items]);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (options.fail?.(items)) throw new Error('disk full');
    return items.map((i) => i * 10);
  };
  return { batches, flush };
}

describe('WriteBuffer', () => {
  it('answers each caller with its own result after the flush', async () => {
    const r = recorder();
    const buffer = new WriteBuffer(r.flush, { flushMs: 1, batchMax: 100, queueMax: 1000 });
    const results = await Promise.all([1, 2, 3].map((i) => buffer.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when a batch is full, never exceeding batchMax', async () => {
    const r = recorder({ delayMs: 5 });
    const buffer = new WriteBuffer(r.flush, { flushMs: 1000, batchMax: 4, queueMax: 1000 });
    const all = Array.from({ length: 10 }, (_, i) => buffer.submit(i));
    await Promise.all(all);
    expect(r.batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(Math.max(...r.batches.map((b) => b.length))).toBeLessThanOrEqual(4);
  });

  it('gathers items that arrive during a flush into the next batch', async () => {
    const r = recorder({ delayMs: 20 });
    const buffer = new WriteBuffer(r.flush, { flushMs: 0, batchMax: 100, queueMax: 1000 });
    const first = buffer.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [2, 3, 4].map((i) => buffer.submit(i));
    await Promise.all([first, ...later]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every caller of a failed batch with StorageUnavailableError and keeps serving later batches', async () => {
    const r = recorder({ fail: (items) => items.includes(2) });
    const buffer = new WriteBuffer(r.flush, { flushMs: 1, batchMax: 100, queueMax: 1000 });
    const failed = await Promise.allSettled([buffer.submit(1), buffer.submit(2)]);
    for (const outcome of failed) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StorageUnavailableError);
    }
    await expect(buffer.submit(5)).resolves.toBe(50);
  });

  it('refuses new items when the queue is full instead of growing without bound', async () => {
    const r = recorder({ delayMs: 20 });
    const buffer = new WriteBuffer(r.flush, { flushMs: 50, batchMax: 1000, queueMax: 3 });
    const accepted = [1, 2, 3].map((i) => buffer.submit(i));
    await expect(buffer.submit(4)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(Promise.all(accepted)).resolves.toEqual([10, 20, 30]);
  });

  it('close flushes everything pending, then refuses new items', async () => {
    const r = recorder({ delayMs: 5 });
    const buffer = new WriteBuffer(r.flush, { flushMs: 10_000, batchMax: 2, queueMax: 1000 });
    const pending = [1, 2, 3, 4, 5].map((i) => buffer.submit(i));
    await buffer.close();
    await expect(Promise.all(pending)).resolves.toEqual([10, 20, 30, 40, 50]);
    await expect(buffer.submit(6)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(buffer.size).toBe(0);
  });

  it('keeps up to maxInFlight batches with storage at once, each answered with its own results', async () => {
    let concurrent = 0;
    let peak = 0;
    const flush = async (items: number[]) => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((r) => setTimeout(r, 15));
      concurrent--;
      return items.map((i) => i + 100);
    };
    const buffer = new WriteBuffer(flush, { flushMs: 0, batchMax: 2, queueMax: 1000, maxInFlight: 2 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => buffer.submit(i)));
    expect(results).toEqual([101, 102, 103, 104, 105, 106]);
    expect(peak).toBe(2);
  });
});
