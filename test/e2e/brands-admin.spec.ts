/**
 * Brands admin `/admin/brands`: rename in the edit panel, merge an alias in the merge dialog (the
 * Brands page's numbers follow), block with confirmation (postbacks refused at once), axe.
 * Works only on brands it creates itself (fresh slugs, events dated on a day no other spec reads),
 * so the demo brands other specs use are never merged, renamed or blocked.
 */
import type { APIRequestContext } from '@playwright/test';
import { apiJson, expect, expectAccessible, fmt, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';

/** A day no other spec's period covers. */
const DAY = '2025-06-15';

interface AdminBrand {
  slug: string;
  name: string;
  blocked: boolean;
  aliasOf: string | null;
  aliases: string[];
  events: number;
}
interface Brands {
  rows: { slug: string; name: string; events: number }[];
}

async function postEvents(api: APIRequestContext, brand: string, count: number, tag: string) {
  const { slug, key } = e2eState().postback;
  for (let i = 0; i < count; i++) {
    const params = new URLSearchParams({
      key,
      event: 'click',
      brand,
      transaction_id: `${tag}-${brand}-${i}`,
      event_time: `${DAY}T12:0${i}:00Z`,
    });
    const res = await api.get(`/postback/${slug}?${params}`);
    expect(res.status(), `postback for ${brand}: ${await res.text()}`).toBe(200);
  }
}

async function adminBrand(api: APIRequestContext, slug: string): Promise<AdminBrand | undefined> {
  const { brands } = await apiJson<{ brands: AdminBrand[] }>(api, '/api/admin/brands');
  return brands.find((b) => b.slug === slug);
}

test('rename, merge and block brands; the Brands page follows the merge', async ({ page, api }) => {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const target = `e2eb${run}`;
  const alias = `e2eb-${run}-alias`;
  const blockMe = `e2eb-${run}-blk`;
  await postEvents(api, alias, 3, run);
  await postEvents(api, target, 2, run);
  await postEvents(api, blockMe, 1, run);

  const brandsUrl = `/api/v1/brands?from=${DAY}&to=${DAY}&test=all&search=${run}`;
  const before = await apiJson<Brands>(api, brandsUrl);
  const eventsOf = (b: Brands, slug: string) => b.rows.find((r) => r.slug === slug)?.events;
  expect(eventsOf(before, alias)).toBe(3);
  expect(eventsOf(before, target)).toBe(2);

  await page.goto(`/admin/brands?search=${run}`);
  await settled(page);
  const row = (slug: string) => page.locator(`tr[data-id="${slug}"]`);
  await expect(page.locator('table[aria-label="Brands admin"] tbody tr')).toHaveCount(3);
  await expect(row(alias).locator('td.num')).toHaveText('3');
  await expect(row(target)).toContainText('ACCEPTED');
  await expectAccessible(page, 'brands admin');

  // Rename: the display name changes, the slug stays.
  await page.getByRole('button', { name: `Edit ${target}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit brand ${target}` });
  await edit.getByLabel('Display name').fill(`E2E Casino ${run}`);
  await expectAccessible(page, 'brand edit panel');
  await edit.getByRole('button', { name: 'Save name' }).click();
  await expect(edit.getByRole('status')).toHaveText('Saved.');
  await edit.getByRole('button', { name: 'Close' }).click();
  await expect(row(target)).toContainText(`E2E Casino ${run}`);
  expect((await adminBrand(api, target))?.name).toBe(`E2E Casino ${run}`);

  // Merge the alias into the target: the dialog says what moves, the list then nests the alias.
  await page.getByRole('button', { name: `Merge ${alias}` }).click();
  const dialog = page.getByRole('dialog', { name: `Merge brand ${alias}` });
  await dialog.getByLabel('Find the target brand').fill(run);
  await dialog.getByLabel('Merge into').selectOption(target);
  await expect(dialog.getByTestId('merge-total')).toHaveText(fmt(5));
  await expect(dialog.getByRole('button', { name: `Merge into ${target}` })).toBeDisabled();
  await dialog.getByLabel('A merge cannot be undone').check();
  await expectAccessible(page, 'merge dialog');
  await dialog.getByRole('button', { name: `Merge into ${target}` }).click();
  await expect(dialog.getByRole('status')).toContainText('3 events moved');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(row(alias)).toHaveCount(0);
  await expect(row(target).getByRole('list', { name: `Aliases of ${target}` })).toContainText(alias);
  await expect(row(target).locator('td.num')).toHaveText(fmt(5));
  expect(await adminBrand(api, alias)).toMatchObject({ aliasOf: target, events: 0 });
  expect(await adminBrand(api, target)).toMatchObject({ aliases: [alias], events: 5 });

  // The Brands page shows the alias's events under the target, with the new name.
  const after = await apiJson<Brands>(api, brandsUrl);
  expect(eventsOf(after, alias)).toBeUndefined();
  expect(eventsOf(after, target)).toBe(5);
  await page.goto(`/brands?from=${DAY}&to=${DAY}&search=${run}`);
  await settled(page);
  await expect(page.locator(`table[aria-label="Brands"] tr[data-id="${alias}"]`)).toHaveCount(0);
  const brandRow = page.locator(`table[aria-label="Brands"] tr[data-id="${target}"]`);
  await expect(brandRow).toContainText(`E2E Casino ${run}`);
  await expect(brandRow.locator('td.num')).toHaveText(fmt(5));

  // A new postback for the alias slug counts under the target.
  await postEvents(api, alias, 1, `${run}-late`);
  expect((await apiJson<Brands>(api, brandsUrl)).rows.find((r) => r.slug === target)?.events).toBe(6);

  // Block, with confirmation: the next postback is refused with the reason.
  await page.goto(`/admin/brands?search=${run}`);
  await settled(page);
  await page.getByRole('button', { name: `Edit ${blockMe}` }).click();
  const blockPanel = page.getByRole('dialog', { name: `Edit brand ${blockMe}` });
  await blockPanel.getByRole('button', { name: 'Block brand…' }).click();
  await expect(blockPanel.getByRole('group', { name: 'Block this brand?' })).toContainText('rejected');
  await expectAccessible(page, 'block confirmation');
  await blockPanel.getByRole('button', { name: 'Confirm block' }).click();
  await expect(blockPanel.getByText('BLOCKED', { exact: true })).toBeVisible();
  await blockPanel.getByRole('button', { name: 'Close' }).click();
  await expect(row(blockMe)).toContainText('BLOCKED');
  const { slug, key } = e2eState().postback;
  const refused = await api.get(
    `/postback/${slug}?${new URLSearchParams({ key, event: 'click', brand: blockMe, transaction_id: `${run}-refused` })}`,
  );
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ status: 'rejected', code: 'brand_blocked' });
  await page.getByLabel('Postbacks').selectOption('blocked');
  await expect(page).toHaveURL(/status=blocked/);
  await expect(page.locator('table[aria-label="Brands admin"] tbody tr')).toHaveCount(1);
});

test('a viewer cannot open the brands admin', async ({ browser }) => {
  const context = await browser.newContext({ storageState: e2eState().sessions.viewer });
  const viewerPage = await context.newPage();
  await viewerPage.goto(`${e2eState().baseURL}/admin/brands`);
  await expect(viewerPage.getByText('No access')).toBeVisible();
  await context.close();
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('nothing overflows a 390 px screen, panels included', async ({ page, api }) => {
    const run = `${Date.now().toString(36)}p${Math.floor(Math.random() * 1000)}`;
    await postEvents(api, `e2eb-${run}-phone-brand-with-a-long-slug`, 1, run);
    await postEvents(api, `e2eb-${run}-other`, 1, run);
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    /** The open panel's content fits its width (a long slug must wrap, not hide off-screen). */
    const panelFits = () =>
      page.locator('.side-panel .body').evaluate((el) => el.scrollWidth <= el.clientWidth);
    await page.goto(`/admin/brands?search=${run}`);
    await settled(page);
    await expect(page.locator('table[aria-label="Brands admin"] tbody tr')).toHaveCount(2);
    expect(await width()).toBeLessThanOrEqual(390);

    await page.getByRole('button', { name: `Edit e2eb-${run}-other` }).click();
    await page.getByRole('button', { name: 'Block brand…' }).click();
    expect(await width()).toBeLessThanOrEqual(390);
    expect(await panelFits()).toBe(true);
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: `Merge e2eb-${run}-other` }).click();
    const dialog = page.getByRole('dialog', { name: `Merge brand e2eb-${run}-other` });
    await dialog.getByLabel('Merge into').selectOption(`e2eb-${run}-phone-brand-with-a-long-slug`);
    await expect(dialog.getByTestId('merge-total')).toHaveText('2');
    expect(await width()).toBeLessThanOrEqual(390);
    expect(await panelFits()).toBe(true);
  });
});
