/**
 * Audit log: the rows are the API's, filters live in the URL, and an entry's before/after JSON
 * unfolds. The filter test audits its own actions (an API client it creates, edits and deletes),
 * so the specs running beside it cannot change what it sees.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';

interface AuditPage {
  entries: { id: number; action: string; actor: string; targetType: string; targetId: string | null }[];
  nextBefore: number | null;
}

const TABLE = 'table[aria-label="Audit log"]';
const rowIds = (page: Page) =>
  page.locator(`${TABLE} tbody tr`).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));

async function csrf(api: APIRequestContext): Promise<Record<string, string>> {
  const me = await apiJson<{ csrfToken: string }>(api, '/api/auth/me');
  return { 'x-csrf-token': me.csrfToken };
}

test('shows the newest entries the API returns, with every column', async ({ page, api }) => {
  await page.goto('/admin/audit');
  await settled(page);
  const heads = await page.locator(`${TABLE} thead th`).allInnerTexts();
  expect(heads.map((h) => h.trim().toUpperCase())).toEqual([
    'TIME',
    'ACTOR',
    'ACTION',
    'TARGET',
    'DETAILS',
    'IP',
  ]);
  // Other specs audit their own actions meanwhile: compare a fresh page with a fresh answer.
  await expect(async () => {
    await page.reload();
    await settled(page);
    const expected = await apiJson<AuditPage>(api, '/api/admin/audit?limit=50');
    expect(expected.entries.length).toBeGreaterThan(0);
    expect(await rowIds(page)).toEqual(expected.entries.map((e) => e.id));
  }).toPass();
  const first = page.locator(`${TABLE} tbody tr`).first();
  await expect(first.locator('time')).toHaveAttribute('title', / UTC$/);
  await expectAccessible(page, 'audit log');
});

test('filtering by action puts it in the URL and shows the matching rows; details unfold', async ({
  page,
  api,
}) => {
  const headers = await csrf(api);
  const name = `e2e-audit-${Date.now().toString(36)}`;
  const created = await api.post('/api/admin/api-clients', { headers, data: { name } });
  expect(created.status()).toBe(201);
  const id = String(((await created.json()) as { client: { id: number } }).client.id);
  try {
    const edited = await api.patch(`/api/admin/api-clients/${id}`, {
      headers,
      data: { rateLimitPerMinute: 90 },
    });
    expect(edited.ok()).toBeTruthy();

    await page.goto(`/admin/audit?targetType=api_client&targetId=${id}`);
    await settled(page);
    const both = await apiJson<AuditPage>(api, `/api/admin/audit?targetType=api_client&targetId=${id}`);
    expect(both.entries.map((e) => e.action)).toEqual(['api_client.update', 'api_client.create']);
    await expect.poll(() => rowIds(page)).toEqual(both.entries.map((e) => e.id));

    await page.getByLabel('Action').fill('api_client.update');
    await page.getByLabel('Action').press('Enter');
    await expect(page).toHaveURL(/action=api_client\.update/);
    await expect(page).toHaveURL(new RegExp(`targetId=${id}`));
    const updates = await apiJson<AuditPage>(
      api,
      `/api/admin/audit?targetType=api_client&targetId=${id}&action=api_client.update`,
    );
    expect(updates.entries).toHaveLength(1);
    await expect.poll(() => rowIds(page)).toEqual(updates.entries.map((e) => e.id));

    const row = page.locator(`${TABLE} tr[data-id="${updates.entries[0]?.id}"]`);
    await expect(row).toContainText(`api_client #${id}`);
    await row.getByText('rateLimitPerMinute changed').click();
    await expect(row.locator('pre').last()).toContainText('"rateLimitPerMinute": 90');
    await expectAccessible(page, 'audit log filtered, details open');

    await page.getByTestId('clear-filters').click();
    await expect(page).not.toHaveURL(/action=/);
  } finally {
    await api.delete(`/api/admin/api-clients/${id}`, { headers });
  }
});

test('a filter that matches nothing shows the empty state', async ({ page }) => {
  await page.goto('/admin/audit?action=no.such.action');
  await expect(page.getByText('No audit entries match these filters')).toBeVisible();
  await expectAccessible(page, 'audit log empty');
});
