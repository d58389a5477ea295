/**
 * Sources admin `/admin/sources`: the cards match the API; Add network pre-fills the mappings from
 * the template, names the field of a refused value, shows the key once and the key works; a
 * mapping edit is saved; a key rotation shows the new key once while the old one still works;
 * viewers are refused; no serious axe violation; nothing wider than a phone.
 */
import type { APIRequestContext } from '@playwright/test';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';

interface AdminSource {
  slug: string;
  name: string;
  keyPrefix: string;
  paramMap: Record<string, string[]>;
  previousKeyValidUntil: string | null;
  authMode: string;
}

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

async function sendPostback(api: APIRequestContext, slug: string, key: string): Promise<string> {
  const params = new URLSearchParams({
    key,
    event: 'reg',
    brand: 'e2e-sources-admin',
    transaction_id: `tx-${unique()}`,
  });
  const res = await api.get(`/postback/${slug}?${params}`);
  return `${res.status()} ${((await res.json()) as { status: string }).status}`;
}

async function adminSources(api: APIRequestContext): Promise<AdminSource[]> {
  return (await apiJson<{ sources: AdminSource[] }>(api, '/api/admin/sources')).sources;
}

test('lists the sources, adds a network with its key shown once, edits a mapping and rotates the key', async ({
  page,
  api,
}) => {
  await page.goto('/admin/sources');
  await settled(page);
  const before = await adminSources(api);
  for (const s of before) {
    const card = page.locator(`li[data-slug="${s.slug}"]`);
    await expect(card).toContainText(s.name);
    await expect(card.getByTestId('card-key-prefix')).toHaveText(`${s.keyPrefix}••••••••`);
  }
  await expect(page.getByTestId('sources-total')).toContainText(`${before.length} networks`);
  await expect(
    page.locator('li[data-slug="referon"]').getByRole('link', { name: 'Link Generator' }),
  ).toHaveAttribute('href', '/links?source=referon');
  await expectAccessible(page, 'sources admin');

  // Add network: the template pre-fills the parameter names.
  const slug = `e2e-net-${unique()}`;
  await page.getByRole('button', { name: '+ Add network' }).click();
  const add = page.getByRole('dialog', { name: 'Add network' });
  await add.getByLabel('Slug', { exact: true }).fill(slug);
  await add.getByLabel('Name', { exact: true }).fill(`E2E ${slug}`);
  await add.getByLabel('Platform template').selectOption('affise');
  await expect(add.getByLabel('Parameter names for sub_id')).toHaveValue(/^sub_id, sub1\b/);
  await add.getByLabel('Platform template').selectOption('cellxpert');
  await expect(add.getByLabel('Parameter names for sub_id')).toHaveValue(/^sub_id, afp\b/);
  await add.getByLabel('Default currency').fill('XYZ');
  await expectAccessible(page, 'add network panel');
  await add.getByRole('button', { name: 'Add network' }).click();
  await expect(add.getByLabel('Default currency')).toHaveAttribute('aria-invalid', 'true');
  await expect(add.getByRole('alert').first()).toContainText('currency XYZ is not an ISO 4217 code');
  expect((await adminSources(api)).some((s) => s.slug === slug)).toBe(false);
  await add.getByLabel('Default currency').fill('EUR');
  await add.getByRole('button', { name: 'Add network' }).click();

  const added = page.getByRole('dialog', { name: 'Network added' });
  await expect(added).toContainText('only time the full key is shown here');
  const key = (await added.getByTestId('new-key').textContent()) ?? '';
  expect(key).toMatch(/^[\w-]{32}$/);
  await expect(added.getByTestId('new-postback-url')).toHaveText(
    new RegExp(`/postback/${slug}\\?key=${key}$`),
  );
  await expect(added.getByRole('button', { name: 'Copy source key' })).toBeVisible();
  await expectAccessible(page, 'network added panel');
  expect(await sendPostback(api, slug, key)).toBe('200 accepted');
  const listed = await api.get('/api/admin/sources');
  expect(await listed.text()).not.toContain(key);
  await added.getByRole('button', { name: 'Done' }).click();

  const card = page.locator(`li[data-slug="${slug}"]`);
  await expect(card.getByTestId('card-key-prefix')).toHaveText(`${key.slice(0, 8)}••••••••`);
  await expect(card).toContainText('CELLXPERT');
  await expect(card).toContainText('EUR');

  // Edit a mapping.
  await card.getByRole('button', { name: `Edit E2E ${slug}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit E2E ${slug}` });
  await edit.getByLabel('Parameter names for sub_id').fill('mysub, click_ref');
  await expect(edit.locator('tr[data-field="sub_id"]')).toContainText('custom');
  await expectAccessible(page, 'edit network panel');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const edited = (await adminSources(api)).find((s) => s.slug === slug);
  expect(edited?.paramMap).toEqual({ sub_id: ['mysub', 'click_ref'] });
  await expect(edit.getByLabel('Parameter names for sub_id')).toHaveValue('mysub, click_ref');

  // Rotate the key: the new one is shown once, the old one keeps working during the grace period.
  page.once('dialog', (d) => void d.accept());
  await edit.getByRole('button', { name: 'Rotate key' }).click();
  const reveal = edit.getByTestId('key-reveal');
  await expect(reveal).toContainText('only time the full key is shown here');
  const newKey = (await reveal.getByTestId('new-key').textContent()) ?? '';
  expect(newKey).toMatch(/^[\w-]{32}$/);
  expect(newKey).not.toBe(key);
  await expect(reveal.getByTestId('grace-note')).toContainText('The old key keeps working until');
  await expect(edit.getByTestId('key-prefix')).toHaveText(`${newKey.slice(0, 8)}••••••••`);
  const rotated = (await adminSources(api)).find((s) => s.slug === slug);
  expect(rotated?.keyPrefix).toBe(newKey.slice(0, 8));
  expect(rotated?.previousKeyValidUntil).not.toBeNull();
  expect(await sendPostback(api, slug, newKey)).toBe('200 accepted');
  expect(await sendPostback(api, slug, key)).toBe('200 accepted');
  expect(await sendPostback(api, slug, 'not-the-key')).toBe('401 rejected');

  // Switching to HMAC asks first: every key= URL would stop working. Dismissed, nothing changes.
  await edit.getByRole('button', { name: 'HMAC signature' }).click();
  const asked = new Promise<string>((resolve) =>
    page.once('dialog', (d) => {
      resolve(d.message());
      void d.dismiss();
    }),
  );
  await edit.getByRole('button', { name: 'Save changes' }).click();
  expect(await asked).toContain('will need a signature');
  expect((await adminSources(api)).find((s) => s.slug === slug)?.authMode).toBe('key');
  await edit.getByRole('button', { name: 'Key in URL' }).click();

  // End now: only the current key works.
  page.once('dialog', (d) => void d.accept());
  await edit.getByRole('button', { name: 'End now' }).click();
  await expect(edit.getByTestId('previous-key')).toHaveText('none valid');
  expect(await sendPostback(api, slug, key)).toBe('401 rejected');
  expect(await sendPostback(api, slug, newKey)).toBe('200 accepted');
  await edit.getByRole('button', { name: 'Close' }).click();
  await expect(card.getByTestId('card-key-prefix')).toHaveText(`${newKey.slice(0, 8)}••••••••`);
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('the page and the Add network panel fit a 390 px screen', async ({ page }) => {
    await page.goto('/admin/sources');
    await settled(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByRole('button', { name: '+ Add network' }).click();
    await expect(page.getByRole('dialog', { name: 'Add network' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});

test.describe('viewer', () => {
  test.use({ who: 'viewer' });

  test('is refused: no access on the page, 403 from the API', async ({ page, api }) => {
    await page.goto('/admin/sources');
    await expect(page.getByTestId('no-access')).toBeVisible();
    expect((await api.get('/api/admin/sources')).status()).toBe(403);
    expect((await api.post('/api/admin/sources', { data: { slug: `viewer-${unique()}` } })).status()).toBe(
      403,
    );
    await expectAccessible(page, 'sources admin, viewer');
  });
});
