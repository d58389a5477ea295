/**
 * `POST /api/admin/rejections/:id/reprocess`: after an admin fixes what refused a postback (here,
 * an event word the source did not know), the stored rejection is sent through again and becomes
 * the event, dated at its first arrival, and the rejection row is gone; one that would still be
 * refused stores nothing; one refused at authentication cannot be sent again; admins only; audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: LoggedIn;
let viewer: LoggedIn;
const SLUG = 'reprocess-net';

beforeAll(async () => {
  t = await createTestApp('admin-rejections');
  await t.addSource({ slug: SLUG, template: 'generic' });
  admin = await t.loginAs({ role: 'admin' });
  viewer = await t.loginAs({ role: 'viewer' });
});
afterAll(async () => t?.close());

const postback = (params: Record<string, string>, key = keyOf(t, SLUG)) =>
  t.app.inject({ method: 'GET', url: `/postback/${SLUG}?${query({ key, ...params })}` });
const reprocess = (id: number, who: LoggedIn | null = admin) =>
  t.app.inject({
    method: 'POST',
    url: `/api/admin/rejections/${id}/reprocess`,
    headers: who?.headers ?? {},
  });
const rejectionOf = (code: string, marker: string) =>
  t.ctx.db.kysely
    .selectFrom('rejections')
    .selectAll()
    .where('reason_code', '=', code)
    .where('raw_query', 'like', `%${marker}%`)
    .executeTakeFirst();

describe('re-processing a stored rejection', () => {
  it('stores the event once the cause is fixed, dated at its first arrival, and removes the rejection', async () => {
    const tx = `rp-${process.pid}-1`;
    const refused = await postback({ event: 'zz_goal_7', brand: 'rpbrand', transaction_id: tx });
    expect(refused.statusCode).toBe(400);
    const rejection = await rejectionOf('unknown_event', tx);
    if (!rejection) throw new Error('the rejection was not stored');
    type Listed = { rows: { id: number; reprocessable: boolean }[] };
    const listed = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/rejections?period=today&source=${SLUG}`,
        headers: admin.headers,
      })
    ).json<Listed>();
    expect(listed.rows.find((r) => r.id === Number(rejection.id))?.reprocessable).toBe(true);

    // Still unknown: nothing stored, the rejection stays.
    const early = await reprocess(Number(rejection.id));
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json()).toMatchObject({ status: 'rejected', code: 'unknown_event', eventId: null });
    expect(await rejectionOf('unknown_event', tx)).toMatchObject({ id: rejection.id, attempts: 1 });

    // The admin teaches the source the word, then sends the rejection again.
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/admin/sources/${SLUG}`,
      headers: admin.headers,
      payload: { eventMap: { zz_goal_7: 'ftd' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const res = await reprocess(Number(rejection.id));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ status: string; eventId: number }>();
    expect(body.status).toBe('accepted');
    const event = await t.ctx.db.kysely
      .selectFrom('events')
      .selectAll()
      .where('id', '=', body.eventId)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      type: 'FTD',
      transaction_id: tx,
      received_at: Number(rejection.first_seen_at),
    });
    expect(event.raw_query).toContain('key=***');
    expect(await rejectionOf('unknown_event', tx)).toBeUndefined();

    // The network's own retry is now a duplicate of it.
    const retry = await postback({ event: 'zz_goal_7', brand: 'rpbrand', transaction_id: tx });
    expect(retry.json()).toMatchObject({ status: 'duplicate', event_id: body.eventId });

    const audit = await t.ctx.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'rejection.reprocess')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => JSON.parse(a.after ?? '{}').status)).toEqual(['rejected', 'accepted']);
    expect(JSON.stringify(audit)).not.toContain(keyOf(t, SLUG));
  });

  it('refuses a rejection decided before the request proved its source', async () => {
    const tx = `rp-${process.pid}-2`;
    expect(
      (await postback({ event: 'reg', brand: 'rpbrand', transaction_id: tx }, 'wrong-key')).statusCode,
    ).toBe(401);
    const rejection = await rejectionOf('bad_key', tx);
    if (!rejection) throw new Error('the rejection was not stored');
    // The list says so, and the route refuses.
    type Listed = { rows: { id: number; reprocessable: boolean }[] };
    const listed = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/rejections?period=today&source=${SLUG}`,
        headers: admin.headers,
      })
    ).json<Listed>();
    expect(listed.rows.find((r) => r.id === Number(rejection.id))?.reprocessable).toBe(false);
    const res = await reprocess(Number(rejection.id));
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/never proved it came from the network/);
    expect(await rejectionOf('bad_key', tx)).toBeDefined();
  });

  it('answers 404 for an unknown id, 400 for a bad one, and only to admins', async () => {
    expect((await reprocess(999_999)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/admin/rejections/x/reprocess',
          headers: admin.headers,
        })
      ).statusCode,
    ).toBe(400);
    expect((await reprocess(1, viewer)).statusCode).toBe(403);
    expect((await reprocess(1, null)).statusCode).toBe(401);
  });
});
