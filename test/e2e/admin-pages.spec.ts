/** The admin section: users (add, approve), API clients (token shown once), broken tags, settings. */
import { apiJson, expect, expectAccessible, fmt, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';
import { signedTelegramLogin } from './helpers/telegram';

const unique = () => String(Date.now()).slice(-7) + String(Math.floor(Math.random() * 100));

test('Users lists every user; Add User creates one; a pending user is approved from the edit panel', async ({
  page,
  api,
  playwright,
}) => {
  // A first Telegram login: a PENDING user to approve.
  const pendingId = `9${unique()}`;
  // Explicitly without cookies: request contexts made in a test take the test's storage state.
  const anon = await playwright.request.newContext({
    baseURL: e2eState().baseURL,
    storageState: { cookies: [], origins: [] },
  });
  await anon.post('/api/auth/telegram', {
    data: signedTelegramLogin(e2eState().botToken, { id: pendingId, first_name: 'Penny' }),
  });
  await anon.dispose();

  await page.goto('/settings/users');
  await settled(page);
  const { users } = await apiJson<{ users: { id: number; telegramId: string | null }[] }>(
    api,
    '/api/admin/users',
  );
  for (const u of users) await expect(page.locator(`tr[data-id="${u.id}"]`)).toHaveCount(1);
  await expectAccessible(page, 'users');

  const newId = `8${unique()}`;
  await page.getByRole('button', { name: '+ Add User' }).click();
  const add = page.getByRole('dialog', { name: 'Add user' });
  await add.getByLabel('Telegram ID').fill(newId);
  await add.getByLabel('First name').fill('Ada');
  await add.getByLabel('Last name').fill('Added');
  await add.getByLabel('Role').selectOption('viewer');
  await expectAccessible(page, 'add user panel');
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add).toHaveCount(0);
  await expect(page.getByRole('row', { name: /Ada Added/ })).toContainText('APPROVED');
  const after = await apiJson<{ users: { telegramId: string | null; status: string }[] }>(
    api,
    '/api/admin/users',
  );
  expect(after.users.find((u) => u.telegramId === newId)?.status).toBe('approved');

  const pendingRow = page.getByRole('row', { name: /Penny/ });
  await expect(pendingRow).toContainText('PENDING');
  await pendingRow.getByRole('button', { name: /Edit/ }).click();
  const edit = page.getByRole('dialog', { name: /Edit Penny/ });
  await edit.getByRole('button', { name: 'Approve' }).click();
  await expect(pendingRow).toContainText('APPROVED');
  const approved = await apiJson<{ users: { telegramId: string | null; status: string }[] }>(
    api,
    '/api/admin/users',
  );
  expect(approved.users.find((u) => u.telegramId === pendingId)?.status).toBe('approved');
});

test('API Clients: the token is shown once, works, and only its prefix stays', async ({
  page,
  api,
  playwright,
}) => {
  await page.goto('/settings/api-clients');
  await settled(page);
  await expectAccessible(page, 'api clients');
  const name = `e2e-client-${unique()}`;
  await page.getByRole('button', { name: '+ Create Client' }).click();
  const panel = page.getByRole('dialog', { name: 'Create API client' });
  await panel.getByLabel('Client name').fill(name);
  await panel.getByLabel(/Rate limit/).fill('120');
  await panel.getByRole('button', { name: 'Create client' }).click();
  const token = (await panel.getByTestId('new-token').textContent()) ?? '';
  expect(token).toMatch(/^afp_/);
  await expect(panel).toContainText('only time the full token is shown');
  await panel.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(token.slice(0, 8));
  await expect(row).toContainText('120 req/min');
  await expect(page.locator('body')).not.toContainText(token);

  const external = await playwright.request.newContext({
    baseURL: e2eState().baseURL,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  expect((await external.get('/api/v1/summary?period=today')).status()).toBe(200);
  await external.dispose();

  const { clients } = await apiJson<{ clients: { name: string; keyPrefix: string }[] }>(
    api,
    '/api/admin/api-clients',
  );
  expect(clients.find((c) => c.name === name)?.keyPrefix).toBe(token.slice(0, 8));

  // Edit: a new limit, the same token.
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit API client' });
  await edit.getByLabel(/Rate limit/).fill('300');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('300 req/min');
  const after = await apiJson<{ clients: { name: string; rateLimitPerMinute: number }[] }>(
    api,
    '/api/admin/api-clients',
  );
  expect(after.clients.find((c) => c.name === name)?.rateLimitPerMinute).toBe(300);
});

test('Broken Tags shows the API summary and rows; filters are in the URL', async ({ page, api }) => {
  interface Broken {
    summary: {
      broken_events: number;
      grouped_rows: number;
      affected_brands: number;
      affected_affiliates: number;
    };
    rows: { brand: string; macro: string }[];
  }
  await page.goto('/admin/broken-tags');
  await settled(page);
  const b = await apiJson<Broken>(api, '/api/v1/broken-tags?period=this_month');
  await expect(page.locator('[data-summary="BROKEN EVENTS"] .value')).toHaveText(
    fmt(b.summary.broken_events),
  );
  await expect(page.locator('[data-summary="GROUPED ROWS"] .value')).toHaveText(fmt(b.summary.grouped_rows));
  await expect(page.locator('table[aria-label="Broken tags"] tbody tr')).toHaveCount(b.rows.length);
  if (b.rows[0])
    await expect(
      page.locator('table[aria-label="Broken tags"] tbody tr').first().locator('.macro-value'),
    ).toHaveText(b.rows[0].macro);
  await expectAccessible(page, 'broken tags');
  const brand = b.rows[0]?.brand;
  if (brand) {
    await page.getByLabel('Brand').selectOption(brand);
    await expect(page).toHaveURL(new RegExp(`brand=${brand}`));
    const one = await apiJson<Broken>(api, `/api/v1/broken-tags?period=this_month&brand=${brand}`);
    await expect(page.locator('table[aria-label="Broken tags"] tbody tr')).toHaveCount(one.rows.length);
  }
});

test('Settings shows the API card, source health and thresholds', async ({ page, api }) => {
  await page.goto('/settings');
  await settled(page);
  await expect(page.getByTestId('api-card')).toContainText('sqlite');
  await expect(page.getByTestId('uptime')).toContainText('started');
  const health = await apiJson<{ rows: { source: string; events_today: number }[] }>(
    api,
    '/api/v1/source-health',
  );
  for (const r of health.rows)
    await expect(
      page.locator(`table[aria-label="Source health"] tr[data-id="${r.source}"] td`).nth(1),
    ).toHaveText(fmt(r.events_today));
  await expect(page.getByTestId('thresholds')).toContainText('5.0%');
  await expectAccessible(page, 'settings');
});
