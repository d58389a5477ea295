/**
 * The Bots page: a bot created from the page (every wrong field named, nothing stored until it is
 * right), its row showing what the API returns and the token never shown back; editing scope,
 * template (live preview) and token; the test message reaching the fake Telegram Bot API of the
 * run; pause/resume; deletion after a confirmation; the alert settings (restored afterwards); axe.
 * Each test makes its own bots (unique names, chats and brand scopes), so other specs are untouched.
 */
import type { APIRequestContext } from '@playwright/test';
import type { FakeTelegramCall } from './helpers/fake-telegram';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';

interface Bot {
  id: number;
  name: string;
  token: string;
  chatId: string;
  businessUnit: string | null;
  status: 'active' | 'inactive';
  scope: { brands: string[]; sources: string[]; affiliates: string[]; types: string[]; testEvents: string };
  template: string | null;
  health: { status: string; username: string | null; error: string | null };
}
interface AlertSettings {
  enabled: boolean;
  botId: number | null;
  chatId: string | null;
  brokenSpikeThreshold: number;
  brokenSpikeWindowHours: number;
  suspiciousWindowHours: number;
}

const unique = () => String(Date.now()).slice(-7) + String(Math.floor(Math.random() * 1000));
const tokenFor = (botNumber: string) => `${botNumber}:E2E-secret_${unique()}_abcdefghijklmnop`;

async function bots(api: APIRequestContext): Promise<Bot[]> {
  return (await apiJson<{ bots: Bot[] }>(api, '/api/admin/bots')).bots;
}

async function csrf(api: APIRequestContext): Promise<Record<string, string>> {
  const me = await apiJson<{ csrfToken: string }>(api, '/api/auth/me');
  return { 'x-csrf-token': me.csrfToken };
}

async function createBotByApi(api: APIRequestContext, body: Record<string, unknown>): Promise<Bot> {
  const res = await api.post('/api/admin/bots', { headers: await csrf(api), data: body });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { bot: Bot }).bot;
}

async function telegramCalls(): Promise<FakeTelegramCall[]> {
  const res = await fetch(`${e2eState().telegram.controlUrl}/calls`);
  return ((await res.json()) as { calls: FakeTelegramCall[] }).calls;
}

test('Create Bot names every wrong field, stores nothing until right, and the row shows the API’s bot', async ({
  page,
  api,
}) => {
  const id = unique();
  const name = `E2E Bot ${id}`;
  const token = tokenFor(`7${id}`);
  const chatId = `-100${id}`;
  const brand = `e2ebot${id}`;

  await page.goto('/settings/bots');
  await settled(page);
  // Other tests of this file add bots at the same time: the summary's shape, not its count.
  await expect(page.getByTestId('bots-total')).toHaveText(/^\d+ Telegram bots? · \d+ active · \d+ online$/);
  await page.getByRole('button', { name: '+ Create Bot' }).click();
  await expect(page).toHaveURL(/create=true/);
  const panel = page.getByRole('dialog', { name: 'Create bot' });

  // Empty, then malformed: each field says what is wrong, and nothing reaches the server.
  await panel.getByRole('button', { name: 'Create bot' }).click();
  await expect(panel).toContainText('Name: the name is required');
  await expect(panel).toContainText('Telegram bot token: the bot token is required');
  await expect(panel).toContainText('Telegram chat / group ID: the chat or group ID is required');
  await expect(panel.getByLabel('Name', { exact: true })).toBeFocused();
  await panel.getByLabel('Name', { exact: true }).fill(name);
  await panel.getByLabel('Telegram bot token').fill('nope');
  await panel.getByLabel('Telegram chat / group ID').fill('not-a-chat');
  await panel.getByRole('button', { name: 'Create bot' }).click();
  await expect(panel).toContainText('Telegram bot token: must look like 123456:ABC-DEF…');
  await expect(panel).toContainText('Telegram chat / group ID: a numeric chat id');
  await expect(panel).not.toContainText('Name: the name is required');
  await expectAccessible(page, 'create bot panel with errors');

  // A template the server refuses: the live preview says why, and saving names the field.
  await panel.getByLabel('Telegram bot token').fill(token);
  await panel.getByLabel('Telegram chat / group ID').fill(chatId);
  await panel.getByLabel('Message template').fill('<b>{type} for {brand}');
  await expect(panel.getByTestId('preview-error')).toContainText('Template refused');
  await panel.getByRole('button', { name: 'Create bot' }).click();
  await expect(panel).toContainText('Message template:');
  expect((await bots(api)).some((b) => b.name === name)).toBe(false);

  // Fixed: the preview shows the message as Telegram would.
  await panel.getByLabel('Message template').fill('<b>{type}</b> for {brand} · {bot}');
  await expect(panel.getByTestId('preview')).toHaveText(`FTD for britsino · ${name}`);
  await panel.getByLabel('Business unit (optional)').fill('E2E desk');
  await panel.getByLabel('Brands', { exact: true }).fill(brand);
  await panel.getByLabel('Brands', { exact: true }).press('Enter');
  await panel.getByLabel('Affiliates', { exact: true }).fill('1042');
  await panel.getByLabel('Affiliates', { exact: true }).press('Enter');
  await expect(panel.getByRole('button', { name: `Remove brand ${brand}` })).toBeVisible();
  // A brand no event has named yet: the panel says so (a typo would announce nothing).
  await expect(panel.getByTestId('unknown-brand')).toContainText(`Unknown brand: ${brand}`);
  await panel.getByRole('button', { name: 'Create bot' }).click();
  await expect(panel).toHaveCount(0);

  const created = (await bots(api)).find((b) => b.name === name);
  expect(created).toMatchObject({
    chatId,
    businessUnit: 'E2E desk',
    status: 'active',
    scope: { brands: [brand], affiliates: ['1042'], types: ['REG', 'FTD', 'CPA'], testEvents: 'exclude' },
    template: '<b>{type}</b> for {brand} · {bot}',
  });
  if (!created) throw new Error('the bot was not created');
  expect(created.token).toBe(`7${id}:…${token.slice(-4)}`);

  const row = page.locator(`tr[data-id="${created.id}"]`);
  await expect(row).toContainText(name);
  await expect(row).toContainText('E2E desk');
  await expect(row).toContainText(chatId);
  await expect(row).toContainText(brand);
  await expect(row.locator('.chip-affiliate')).toHaveText('aff: 1042');
  await expect(row).toContainText('ACTIVE');
  await expect(row).toContainText('none yet');
  // getMe answered by the fake: the list follows the API's health.
  await expect
    .poll(async () => (await bots(api)).find((b) => b.id === created.id)?.health.status)
    .toBe('online');
  await expect(row).toContainText(`online @fake_7${id}_bot`);

  // The token is write-only: only the masked form the API returns is ever on the page.
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit bot ${name}` });
  await expect(edit.getByTestId('masked-token')).toHaveText(created.token);
  await expect(edit.getByLabel('Telegram bot token')).toHaveValue('');
  expect(await page.content()).not.toContain(token.split(':')[1]);
  await expectAccessible(page, 'bot edit panel');
  await edit.getByRole('button', { name: 'Close' }).click();
  await expectAccessible(page, 'bots page');

  const del = await api.delete(`/api/admin/bots/${created.id}`, { headers: await csrf(api) });
  expect(del.status()).toBe(204);
});

test('Edit: scope, template and token saved; the test message reaches Telegram; pause, resume, delete', async ({
  page,
  api,
}) => {
  const id = unique();
  const chatId = `5${id}`;
  const bot = await createBotByApi(api, {
    name: `E2E Edit ${id}`,
    token: tokenFor(`8${id}`),
    chatId,
    scope: { brands: [`e2eedit${id}`] },
  });
  await page.goto(`/settings/bots?bot=${bot.id}`);
  await settled(page);
  // Its label follows the bot's name, which this test changes.
  const panel = page.getByRole('dialog', { name: /^Edit bot / });
  await expect(panel.getByTestId('masked-token')).toHaveText(bot.token);

  // Edit: name, scope (a type off, test events too) and template with its live preview.
  const renamed = `E2E Edited ${id}`;
  await panel.getByLabel('Name', { exact: true }).fill(renamed);
  await panel.getByRole('checkbox', { name: 'REG' }).uncheck();
  await panel.getByLabel('Test events').selectOption('include');
  await panel.getByLabel('Message template').fill('{type_icon} <i>{type}</i> · {amount} {currency}');
  await expect(panel.getByTestId('preview')).toHaveText('💰 FTD · 50 EUR');
  await panel.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const edited = (await apiJson<{ bot: Bot }>(api, `/api/admin/bots/${bot.id}`)).bot;
  expect(edited).toMatchObject({
    name: renamed,
    token: bot.token,
    scope: { brands: [`e2eedit${id}`], types: ['FTD', 'CPA'], testEvents: 'include' },
    template: '{type_icon} <i>{type}</i> · {amount} {currency}',
  });
  const row = page.locator(`tr[data-id="${bot.id}"]`);
  await expect(row).toContainText(renamed);
  await expect(row).toContainText('+ test events');
  await expect(row.locator('[data-type="REG"]')).toHaveCount(0);

  // A new token replaces the old one; the input empties again and only the mask is shown.
  const newToken = tokenFor(`9${id}`);
  await panel.getByLabel('Telegram bot token').fill(newToken);
  await panel.getByRole('button', { name: 'Save changes' }).click();
  await expect(panel.getByTestId('masked-token')).toHaveText(`9${id}:…${newToken.slice(-4)}`);
  await expect(panel.getByLabel('Telegram bot token')).toHaveValue('');
  expect((await apiJson<{ bot: Bot }>(api, `/api/admin/bots/${bot.id}`)).bot.token).toBe(
    `9${id}:…${newToken.slice(-4)}`,
  );

  // The test message goes through the outbox to the fake Bot API, with the new token.
  await panel.getByRole('button', { name: 'Send test message' }).click();
  await expect(panel.getByTestId('test-outcome')).toHaveText('Test message sent: it reached Telegram.', {
    timeout: 15_000,
  });
  const sent = (await telegramCalls()).filter((c) => c.method === 'sendMessage' && c.chatId === chatId);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ botId: `9${id}`, answer: 200 });
  expect(sent[0]?.text).toContain(`Test message from S2S Galaxy for bot ${renamed}`);
  expect(sent[0]?.text).toContain('💰 FTD · 50 EUR');
  const deliveries = panel.getByTestId('deliveries');
  await expect(deliveries.locator('li')).toHaveCount(1);
  await expect(deliveries.locator('li').first()).toHaveAttribute('data-status', 'sent');
  await expect(deliveries).toContainText('test message');
  await expect(row).toContainText('SENT');
  await expectAccessible(page, 'bot edit panel after a test message');

  // Pause and resume, from the panel and from the row.
  await panel.getByRole('button', { name: 'Pause' }).click();
  await expect(row).toContainText('INACTIVE');
  expect((await apiJson<{ bot: Bot }>(api, `/api/admin/bots/${bot.id}`)).bot.status).toBe('inactive');
  await panel.getByRole('button', { name: 'Close' }).click();
  await row.getByRole('button', { name: `Resume ${renamed}` }).click();
  await expect(row.getByRole('button', { name: `Pause ${renamed}` })).toBeVisible();
  expect((await apiJson<{ bot: Bot }>(api, `/api/admin/bots/${bot.id}`)).bot.status).toBe('active');

  // Delete asks first: dismissed keeps the bot, accepted removes it.
  await row.click();
  const again = page.getByRole('dialog', { name: `Edit bot ${renamed}` });
  await expect(page).toHaveURL(new RegExp(`bot=${bot.id}`));
  page.once('dialog', (d) => void d.dismiss());
  await again.getByRole('button', { name: 'Delete bot' }).click();
  await expect(again).toBeVisible();
  expect((await api.get(`/api/admin/bots/${bot.id}`)).status()).toBe(200);
  page.once('dialog', (d) => {
    expect(d.message()).toContain(`Delete the bot “${renamed}”?`);
    void d.accept();
  });
  await again.getByRole('button', { name: 'Delete bot' }).click();
  await expect(again).toHaveCount(0);
  await expect(row).toHaveCount(0);
  expect((await api.get(`/api/admin/bots/${bot.id}`)).status()).toBe(404);
});

/** Elements sticking out past the right edge of a 390 px screen (none expected). */
async function overflowing(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const box = el.getBoundingClientRect();
      const scroller = el.closest('.table-wrap, .side-panel .body');
      if (box.width > 0 && box.right > width + 1 && !scroller)
        out.push(`${el.tagName.toLowerCase()}.${el.className} (${Math.round(box.right)} px)`);
    }
    return out.slice(0, 5);
  });
}

test('At 390 px the page and the bot panel fit the screen', async ({ page, api }) => {
  const id = unique();
  const bot = await createBotByApi(api, {
    name: `E2E Phone ${id}`,
    token: tokenFor(`6${id}`),
    chatId: `-100${id}`,
    businessUnit: 'Mobile desk with a long name',
    scope: { brands: [`e2ephone${id}`, `e2ephone${id}b`], affiliates: ['77', '78'] },
  });
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/settings/bots');
    await settled(page);
    await expect(page.locator(`tr[data-id="${bot.id}"]`)).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await overflowing(page)).toEqual([]);

    await page.locator(`tr[data-id="${bot.id}"]`).click();
    const panel = page.getByRole('dialog', { name: `Edit bot ${bot.name}` });
    await expect(panel.getByTestId('preview')).toBeVisible();
    const box = await panel.boundingBox();
    expect(box?.x).toBeGreaterThanOrEqual(0);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  } finally {
    await api.delete(`/api/admin/bots/${bot.id}`, { headers: await csrf(api) });
  }
});

test('Alert settings: wrong values named per field, a change saved, then restored', async ({ page, api }) => {
  const original = (await apiJson<{ settings: AlertSettings }>(api, '/api/admin/bots/alerts')).settings;
  try {
    await page.goto('/settings/bots');
    await settled(page);
    const card = page.getByTestId('alerts-card');
    await expect(card.getByLabel('Broken-tag spike (events)')).toHaveValue(
      String(original.brokenSpikeThreshold),
    );

    await card.getByLabel('Broken-tag spike (events)').fill('0');
    await card.getByLabel('Admin chat ID').fill('nope');
    await card.getByRole('button', { name: 'Save alert settings' }).click();
    await expect(card).toContainText('Broken-tag spike (events): between 1 and 1,000,000,000');
    await expect(card).toContainText('Admin chat ID: a numeric chat id');
    if (!original.enabled) {
      await card.getByLabel(/Send alerts/).check();
      await card.getByLabel('Admin chat ID').fill('');
      await card.getByLabel('Alert bot').selectOption('');
      await card.getByRole('button', { name: 'Save alert settings' }).click();
      await expect(card).toContainText('Alert bot: alerts need a bot to send them');
      await card.getByLabel(/Send alerts/).uncheck();
      await card.getByLabel('Alert bot').selectOption(original.botId === null ? '' : String(original.botId));
    }
    expect((await apiJson<{ settings: AlertSettings }>(api, '/api/admin/bots/alerts')).settings).toEqual(
      original,
    );

    const threshold = original.brokenSpikeThreshold === 77 ? 78 : 77;
    await card.getByLabel('Admin chat ID').fill(original.chatId ?? '');
    await card.getByLabel('Broken-tag spike (events)').fill(String(threshold));
    await card.getByLabel('Spike window (hours)').fill('3');
    await card.getByRole('button', { name: 'Save alert settings' }).click();
    await expect(card.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
    expect((await apiJson<{ settings: AlertSettings }>(api, '/api/admin/bots/alerts')).settings).toEqual({
      ...original,
      brokenSpikeThreshold: threshold,
      brokenSpikeWindowHours: 3,
    });
    await expectAccessible(page, 'alert settings');
  } finally {
    const res = await api.put('/api/admin/bots/alerts', { headers: await csrf(api), data: original });
    expect(res.status()).toBe(200);
  }
});
