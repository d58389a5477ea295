/**
 * A read waits at most READ_CATCH_UP_MS for stored events to be counted into the rollups; past it,
 * it answers from what is counted and says so with X-Figures-Pending, instead of waiting on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupFolder } from '../../src/ingest/derived-rollups.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

describe('reads while the rollups are catching up', () => {
  let t: TestApp;
  let real: RollupFolder;
  const auth = () => ({ authorization: `Bearer ${t.apiToken}` });

  beforeAll(async () => {
    t = await createTestApp('figures-pending', { READ_CATCH_UP_MS: '50' });
    real = t.ctx.derived;
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), event: 'reg', brand: 'pending', affiliateid: '1', userid: 'p-1' })}`,
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    t.ctx.derived = real;
    await t.close();
  });

  it('answers before a slow fold ends, and says that figures are pending', async () => {
    let folds = 0;
    t.ctx.derived = {
      ...real,
      catchUp: () => {
        folds++;
        return new Promise((resolve) => setTimeout(() => resolve(0), 1000));
      },
    };
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/summary?period=today', headers: auth() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-figures-pending']).toBe('1');
    expect(folds).toBe(1);
  });

  it('answers every stored event, without the header, once a read finds the fold done in time', async () => {
    t.ctx.derived = real;
    // After a wait ran out, reads wait only briefly (10 ms) until one finds the fold done within
    // that: the first may still fold the queued postback (on PostgreSQL that takes longer).
    let res = await t.app.inject({ method: 'GET', url: '/api/v1/summary?period=today', headers: auth() });
    for (let i = 0; i < 20 && res.headers['x-figures-pending'] !== undefined; i++)
      res = await t.app.inject({ method: 'GET', url: '/api/v1/summary?period=today', headers: auth() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-figures-pending']).toBeUndefined();
    expect(res.json().counts.REG).toBe(1);
  });
});
