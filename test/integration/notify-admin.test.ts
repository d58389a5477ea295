/**
 * The bots admin API: create/list/edit/delete with the token write-only (masked in every answer,
 * absent from the audit log), validation naming the field, the live template preview, "send test
 * message", the getMe health check (online/offline with the check time), the last deliveries, and
 * the alert settings — every change audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, type NotifyApp, startNotifyApp, TOKEN_A, TOKEN_B, waitFor } from './notify-helpers.js';

let n: NotifyApp;
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => n.t.app.inject({ method, url, headers: n.admin.headers, ...(payload === undefined ? {} : { payload }) });

beforeAll(async () => {
  n = await startNotifyApp('notify-admin');
});
afterAll(async () => n.close());

async function auditRows() {
  return n.t.ctx.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('target_type', 'in', ['bot', 'alert_settings'])
    .execute();
}

describe('bots CRUD', () => {
  let id: number;

  it('creates a bot and never shows its token again', async () => {
    const res = await call('POST', '/api/admin/bots', {
      name: 'Ops',
      token: TOKEN_A,
      chatId: '-1001234567890',
      businessUnit: 'UK desk',
      scope: { brands: ['britsino'], types: ['FTD'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const bot = res.json().bot;
    id = bot.id;
    expect(bot).toMatchObject({
      name: 'Ops',
      token: '111111:…AAAA',
      chatId: '-1001234567890',
      businessUnit: 'UK desk',
      status: 'active',
      scope: { brands: ['britsino'], sources: [], affiliates: [], types: ['FTD'], testEvents: 'exclude' },
      template: null,
    });
    const list = await call('GET', '/api/admin/bots');
    expect(list.json().bots.map((b: { id: number }) => b.id)).toContain(id);
    expect(list.body).not.toContain(TOKEN_A.split(':')[1]);
  });

  it('checks its health with getMe right after creation', async () => {
    const health = await waitFor('the first health check', async () => {
      const bot = (await call('GET', `/api/admin/bots/${id}`)).json().bot;
      return bot.health.status === 'unknown' ? undefined : bot.health;
    });
    expect(health).toMatchObject({ status: 'online', error: null, username: 'fake_111111_bot' });
    expect(Date.parse(health.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it.each([
    [{ name: 'x', token: 'nope', chatId: '1' }, 'token'],
    [{ name: 'x', token: TOKEN_A, chatId: 'not-a-chat' }, 'chatId'],
    [{ name: '', token: TOKEN_A, chatId: '1' }, 'name'],
    [{ name: 'x', token: TOKEN_A, chatId: '1', template: '<b>{type}' }, 'template'],
    [{ name: 'x', token: TOKEN_A, chatId: '1', template: '{nope}' }, 'template'],
    [{ name: 'x', token: TOKEN_A, chatId: '1', scope: { types: ['SIGNUP'] } }, 'scope.types.0'],
  ])('refuses an invalid bot, naming the field (case %#)', async (payload, field) => {
    const res = await call('POST', '/api/admin/bots', payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('edits a bot: the token changes only when a new one is sent', async () => {
    const kept = await call('PATCH', `/api/admin/bots/${id}`, { name: 'Ops UK', isActive: false });
    expect(kept.json().bot).toMatchObject({ name: 'Ops UK', status: 'inactive', token: '111111:…AAAA' });
    const changed = await call('PATCH', `/api/admin/bots/${id}`, { token: TOKEN_B, isActive: true });
    expect(changed.json().bot).toMatchObject({ token: '222222:…BBBB', status: 'active' });
    const stored = await n.t.ctx.db.kysely
      .withTables<{ bots: { id: number; token: string } }>()
      .selectFrom('bots')
      .select('token')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token).toBe(TOKEN_B);
  });

  it('audits every change without the token', async () => {
    const rows = await auditRows();
    expect(rows.map((r) => r.action)).toEqual(['bot.create', 'bot.update', 'bot.update']);
    const text = JSON.stringify(rows);
    for (const token of [TOKEN_A, TOKEN_B]) expect(text).not.toContain(token.split(':')[1]);
    expect(JSON.parse(rows[2]?.after ?? '{}')).toMatchObject({ tokenChanged: true });
    expect(rows.every((r) => r.actor_user_id === n.admin.userId)).toBe(true);
  });

  it('answers 404 for a bot that does not exist and 400 for a bad id', async () => {
    expect((await call('PATCH', '/api/admin/bots/99999', { name: 'x' })).statusCode).toBe(404);
    expect((await call('GET', '/api/admin/bots/abc')).json().error.field).toBe('id');
  });
});

describe('preview, test message, health, deliveries', () => {
  let id: number;
  beforeAll(async () => {
    id = await n.createBot({
      name: 'Preview <bot>',
      token: TOKEN_A,
      chatId: '4242',
      scope: { brands: ['previewbrand'], types: [] },
    });
  });

  it('previews a template on a sample event, as HTML and as the reader sees it', async () => {
    const res = await call('POST', '/api/admin/bots/preview', {
      template: '<b>{type}</b> for {brand}: {amount} {currency}',
      botName: 'x',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      html: '<b>FTD</b> for <code>britsino</code>: 50 EUR',
      text: 'FTD for britsino: 50 EUR',
    });
    const bad = await call('POST', '/api/admin/bots/preview', { template: '<a href="{tracking_tag}">x</a>' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      field: 'template',
      message: '{tracking_tag} cannot be used inside a tag',
    });
  });

  it('sends a test message through the outbox and says how it went', async () => {
    const res = await call('POST', `/api/admin/bots/${id}/test`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().delivery).toMatchObject({ status: 'sent', error: null });
    const sent = n.fake.delivered('4242').at(-1);
    expect(sent?.text).toContain('Test message from S2S Galaxy for bot Preview <bot>');
  });

  it('reports offline with the reason when getMe fails', async () => {
    n.fake.failNext(1, { kind: 'error', status: 401, description: 'Unauthorized' }, 'getMe');
    const res = await call('POST', `/api/admin/bots/${id}/health`);
    expect(res.json().health).toMatchObject({ status: 'offline', error: '401 Unauthorized' });
    const ok = await call('POST', `/api/admin/bots/${id}/health`);
    expect(ok.json().health).toMatchObject({ status: 'online', error: null });
  });

  it('lists the last deliveries with status and error', async () => {
    n.fake.failNext(
      1,
      { kind: 'error', status: 400, description: 'Bad Request: chat not found' },
      'sendMessage',
      (c) => c.chatId === '4242',
    );
    const eventId = await n.post(event({ brand: 'previewbrand' }));
    await waitFor('the failed delivery', async () =>
      (await n.deliveries(id)).some((d) => Number(d.event_id) === eventId && d.status === 'failed'),
    );
    const res = await call('GET', `/api/admin/bots/${id}/deliveries?limit=5`);
    expect(res.json().deliveries[0]).toMatchObject({
      kind: 'event',
      eventId,
      event: { type: 'FTD', brand: 'previewbrand', source: 'cellxpert' },
      status: 'failed',
      attempts: 1,
      error: '400 Bad Request: chat not found',
    });
    const failedOnly = await call('GET', `/api/admin/bots/${id}/deliveries?status=failed`);
    expect(failedOnly.json().deliveries.every((d: { status: string }) => d.status === 'failed')).toBe(true);
    expect((await call('GET', `/api/admin/bots/${id}/deliveries?status=lost`)).statusCode).toBe(400);
  });

  it('deletes a bot, cancelling what it had not sent, and audits it', async () => {
    await n.t.ctx.notifier.sender.stop();
    await n.post(event({ brand: 'previewbrand' }));
    const res = await call('DELETE', `/api/admin/bots/${id}`);
    expect(res.statusCode).toBe(204);
    const rows = await n.deliveries(id);
    expect(rows.at(-1)).toMatchObject({ status: 'cancelled', error: 'bot deleted' });
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'bot.delete', target_id: String(id) });
    expect((await call('GET', `/api/admin/bots/${id}`)).statusCode).toBe(404);
    n.t.ctx.notifier.sender.start();
  });
});

describe('alert settings', () => {
  it('stores them, audited; alerts need a bot and a chat', async () => {
    expect((await call('GET', '/api/admin/bots/alerts')).json().settings).toMatchObject({ enabled: false });
    const missing = await call('PUT', '/api/admin/bots/alerts', { enabled: true });
    expect(missing.statusCode).toBe(400);
    const botId = await n.createBot({ name: 'alerts', token: TOKEN_B, chatId: '-777', isActive: false });
    const res = await call('PUT', '/api/admin/bots/alerts', {
      enabled: true,
      botId,
      chatId: '-777',
      brokenSpikeThreshold: 5,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await call('GET', '/api/admin/bots/alerts')).json().settings).toMatchObject({
      enabled: true,
      botId,
      brokenSpikeThreshold: 5,
    });
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'bot.alerts_update' });
  });
});
