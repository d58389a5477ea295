/** Logging in and who sees what: login page, one-time link, pending waiting page, approval, viewers. */
import { execFileSync } from 'node:child_process';
import { apiJson, expect, expectAccessible, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';
import { signedTelegramLogin } from './helpers/telegram';

test.describe('anonymous', () => {
  test.use({ who: 'anonymous' });

  test('is sent to the login page, which offers the Telegram widget', async ({ page }) => {
    await page.goto('/events?type=FTD');
    await expect(page).toHaveURL(/\/login\?next=%2Fevents%3Ftype%3DFTD/);
    await expect(page.getByTestId('telegram-widget')).toBeAttached();
    await expectAccessible(page, 'login');
  });

  test('without a login bot, the login page explains the one-time link', async ({ page }) => {
    await page.route('**/api/auth/config', (route) => route.fulfill({ json: { telegramBotName: null } }));
    await page.goto('/login');
    await expect(page.getByTestId('link-note')).toContainText('/auth/link/');
  });

  test('logs in with a one-time link and lands on the dashboard', async ({ page }) => {
    const out = execFileSync(process.execPath, ['bin/affpanel.js', 'user', 'link', '1'], {
      env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, PUBLIC_BASE_URL: e2eState().baseURL },
      encoding: 'utf8',
    });
    const link = /https?:\/\/\S+\/auth\/link\/[\w-]+/.exec(out)?.[0] ?? '';
    await page.goto(link);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByText('Users')).toBeVisible();
  });

  test('a first Telegram login waits as PENDING until an admin approves', async ({ page, playwright }) => {
    const { botToken, baseURL, sessions } = e2eState();
    const telegramId = String(8_000_000 + Math.floor(Math.random() * 1_000_000));
    const callback = () =>
      `/auth/telegram/callback?${new URLSearchParams(signedTelegramLogin(botToken, { id: telegramId, first_name: 'Nia' }))}`;
    await page.goto(callback());
    await expect(page.getByTestId('pending-page')).toContainText('Waiting for approval');
    await expect(page.getByTestId('pending-page')).toContainText(telegramId);
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

    const admin = await playwright.request.newContext({ baseURL, storageState: sessions.admin });
    const { csrfToken } = await apiJson<{ csrfToken: string }>(admin, '/api/auth/me');
    const { users } = await apiJson<{ users: { id: number; telegramId: string }[] }>(
      admin,
      '/api/admin/users',
    );
    const user = users.find((u) => u.telegramId === telegramId);
    const approved = await admin.patch(`/api/admin/users/${user?.id}`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { status: 'approved' },
    });
    expect(approved.ok()).toBeTruthy();
    await admin.dispose();

    // Approval ends the waiting session; logging in again opens the panel.
    await page.getByRole('button', { name: /Check again/ }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto(callback());
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  });
});

test.describe('a viewer of their own', () => {
  test.use({ who: 'anonymous' });

  test('logs out, and the panel then asks for a login', async ({ page }) => {
    const { botToken } = e2eState();
    // Not the very fields global setup signed (a hash is accepted once, and both may share a second).
    const login = signedTelegramLogin(botToken, { id: '7000001', first_name: 'Vera', last_name: 'Viewer' });
    await page.goto(`/auth/telegram/callback?${new URLSearchParams(login)}`);
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/events');
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe('pending', () => {
  test.use({ who: 'pending' });

  test('sees only the waiting page, wherever they go', async ({ page }) => {
    for (const path of ['/', '/events', '/settings/users']) {
      await page.goto(path);
      await expect(page.getByTestId('pending-page')).toBeVisible();
    }
    await expectAccessible(page, 'pending page');
  });
});

test.describe('viewer', () => {
  test.use({ who: 'viewer' });

  test('does not see the admin section and gets "no access" on its pages', async ({ page, api }) => {
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByText('Dashboard')).toBeVisible();
    await expect(nav.getByText('Admin')).toHaveCount(0);
    await expect(nav.getByText('Users')).toHaveCount(0);
    for (const path of ['/settings/users', '/settings/api-clients', '/settings/bots', '/admin/broken-tags']) {
      await page.goto(path);
      await expect(page.getByTestId('no-access')).toBeVisible();
    }
    await expectAccessible(page, 'no access');
    expect((await api.get('/api/admin/users')).status()).toBe(403);
  });

  test('reads Settings (status and source health) without the editable cards', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByText('Settings').click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByTestId('api-card')).toBeVisible();
    await expect(page.locator('table[aria-label="Source health"]')).toBeVisible();
    await expect(page.getByTestId('no-access')).toHaveCount(0);
    await expect(page.getByTestId('thresholds')).toHaveCount(0);
  });
});
