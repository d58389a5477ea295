/**
 * Rejections: the list is the API's (filters in the URL, every field in the side panel), and the
 * postback tester says "accepted" for a good URL and gives the reason for a bad key — storing
 * nothing either way. Each test posts its own rejected postbacks with a unique brand marker, so the
 * specs running beside it cannot change what it sees.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';

interface Rejections {
  rows: {
    id: number;
    code: string;
    reason: string;
    source: string;
    attempts: number;
    raw_query: string;
    last_seen_at: string;
  }[];
  next: string | null;
}

const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const TABLE = 'table[aria-label="Rejected postbacks"]';

const rowIds = (page: Page) =>
  page.locator(`${TABLE} tbody tr`).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));

/** Posts a postback to the real endpoint as a network would; answers its HTTP status. */
async function postback(api: APIRequestContext, params: Record<string, string>): Promise<number> {
  const { slug } = e2eState().postback;
  const res = await api.get(`/postback/${slug}?${new URLSearchParams(params).toString()}`);
  return res.status();
}

const key = () => e2eState().postback.key;

test('the list shows the rows the API returns; the side panel shows every field', async ({ page, api }) => {
  const brand = `e2e-rj-${unique()}`;
  // Two rejected postbacks only this test sends: a bad currency (twice: one row, two attempts) and a bad country.
  const badCurrency = { key: key(), event_type: 'cpa', brand, amount: '10', currency: 'EURO' };
  expect(await postback(api, badCurrency)).toBe(400);
  expect(await postback(api, badCurrency)).toBe(400);
  expect(await postback(api, { key: key(), event_type: 'reg', brand, country: 'XX' })).toBe(400);

  const filter = 'source=referon&code=invalid_currency';
  await page.goto(`/admin/rejections?${filter}`);
  await settled(page);
  const expected = await apiJson<Rejections>(api, `/api/v1/rejections?${filter}`);
  const mine = expected.rows.find((r) => r.raw_query.includes(brand));
  expect(mine, 'the rejection this test sent').toBeDefined();
  expect(mine?.attempts).toBe(2);
  expect(mine?.raw_query).toContain('key=***');
  await expect.poll(() => rowIds(page)).toEqual(expected.rows.map((r) => r.id));

  const heads = await page.locator(`${TABLE} thead th`).allInnerTexts();
  expect(heads.map((h) => h.trim().toUpperCase())).toEqual([
    'LAST SEEN',
    'SOURCE',
    'BRAND',
    'REASON',
    'ATTEMPTS',
    'FIRST SEEN',
    'RAW QUERY',
    'DETAILS',
  ]);
  const row = page.locator(`${TABLE} tr[data-id="${mine?.id}"]`);
  await expect(row).toContainText('invalid_currency');
  await expect(row).toContainText(mine?.reason ?? '');
  await expect(row.locator('td').nth(4)).toHaveText('2');
  await expect(row.locator('time').first()).toHaveAttribute('title', / UTC$/);
  await expect(row).not.toContainText(key());
  await expectAccessible(page, 'rejections');

  await row.getByRole('button', { name: `Open rejection ${mine?.id}` }).click();
  const panel = page.getByRole('dialog', { name: `Rejection ${mine?.id} details` });
  await expect(panel.getByTestId('rejection-fields')).toContainText('invalid_currency');
  await expect(panel.getByTestId('rejection-fields')).toContainText('currency');
  await expect(panel.getByTestId('rejection-fields')).toContainText('GET');
  await expect(panel.getByTestId('rejection-raw-query')).toHaveText(mine?.raw_query ?? '');
  await expectAccessible(page, 'rejection panel');
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
});

test('a filter changes the URL and the rows; Clear resets it', async ({ page, api }) => {
  const brand = `e2e-rj-${unique()}`;
  expect(await postback(api, { key: key(), event_type: 'reg', brand, test: 'maybe' })).toBe(400);

  await page.goto('/admin/rejections?source=referon');
  await settled(page);
  await page.getByLabel('Reason').selectOption('invalid_test_flag');
  await expect(page).toHaveURL(/code=invalid_test_flag/);
  await expect(page).toHaveURL(/source=referon/);
  const expected = await apiJson<Rejections>(api, '/api/v1/rejections?source=referon&code=invalid_test_flag');
  expect(expected.rows.some((r) => r.raw_query.includes(brand))).toBe(true);
  await expect.poll(() => rowIds(page)).toEqual(expected.rows.map((r) => r.id));
  const codes = await page.locator(`${TABLE} tbody .pill`).allInnerTexts();
  expect(new Set(codes)).toEqual(new Set(['invalid_test_flag']));

  // Re-process: still refused (a test flag cannot be fixed on our side), so nothing changes.
  const mine = expected.rows.find((r) => r.raw_query.includes(brand));
  await page.locator(`${TABLE} tr[data-id="${mine?.id}"]`).click();
  const panel = page.getByRole('dialog', { name: `Rejection ${mine?.id} details` });
  await panel.getByRole('button', { name: 'Re-process' }).click();
  await expect(panel.getByTestId('reprocess-result')).toContainText('Still refused');
  await expect(panel.getByTestId('reprocess-result')).toContainText('invalid_test_flag');
  await page.keyboard.press('Escape');

  await page.getByTestId('clear-filters').click();
  await expect(page).not.toHaveURL(/code=/);
  await expect(page).not.toHaveURL(/source=/);
});

test('the tester accepts a good URL and names the reason for a bad key, storing nothing', async ({
  page,
  api,
}) => {
  const { slug } = e2eState().postback;
  const brand = `e2e-tester-${unique()}`;
  const good = `${e2eState().baseURL}/postback/${slug}?key=${key()}&event_type=reg&brand=${brand}&customer_id=p-${brand}&mid=WA_1`;

  await page.goto('/admin/rejections');
  const tester = page.getByTestId('postback-tester');
  await tester.getByLabel('Postback URL').fill(good);
  await tester.getByRole('button', { name: 'Check postback' }).click();
  const verdict = tester.getByTestId('check-verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'accepted');
  await expect(verdict).toContainText('Accepted');
  await expect(verdict).toContainText(brand);
  await expect(tester.locator('[data-step]')).toHaveCount(6);
  await expect(tester.locator('[data-step][data-status="passed"]')).toHaveCount(6);
  await expect(tester.getByTestId('check-event')).toContainText('WA_1');
  await expectAccessible(page, 'tester: accepted');

  await tester.getByLabel('Postback URL').fill(good.replace(`key=${key()}`, 'key=not-the-key'));
  await tester.getByRole('button', { name: 'Check postback' }).click();
  await expect(verdict).toHaveAttribute('data-verdict', 'rejected');
  await expect(verdict).toContainText('bad_key');
  await expect(verdict).toContainText('wrong key');
  await expect(verdict).toContainText('HTTP 401');
  await expect(tester.locator('[data-step="authenticate"]')).toHaveAttribute('data-status', 'failed');
  await expectAccessible(page, 'tester: rejected');

  // A URL that is not a postback URL names the field.
  await tester.getByLabel('Postback URL').fill('https://example.com/somewhere?else=1');
  await tester.getByRole('button', { name: 'Check postback' }).click();
  await expect(tester.getByTestId('check-error')).toContainText('url');
  await expect(tester.getByLabel('Postback URL')).toHaveAttribute('aria-invalid', 'true');

  // Nothing stored: no event for the brand, no rejection carrying it.
  const events = await apiJson<{ total: number }>(api, `/api/v1/events?brand=${brand}`);
  expect(events.total).toBe(0);
  const rejections = await apiJson<Rejections>(api, '/api/v1/rejections?period=today&limit=500');
  expect(rejections.rows.filter((r) => r.raw_query.includes(brand))).toEqual([]);
});
