/** Events: the log is the API's, filters live in the URL, paging, the detail panel, exports. */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { apiJson, expect, expectAccessible, fmt, parseCount, settled, test } from './helpers/fixtures';

interface EventsPage {
  page: number;
  total: number;
  pages: number;
  window: number[];
  rows: { id: number; type: string; is_test: boolean; tracking_tag: string | null }[];
}

const rowIds = (page: Page) =>
  page
    .locator('table[aria-label="Events"] tbody tr')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));

async function expectLog(page: Page, expected: EventsPage) {
  await expect(page.getByTestId('events-total')).toContainText(`${fmt(expected.total)} events`);
  await expect.poll(() => rowIds(page)).toEqual(expected.rows.map((r) => r.id));
}

test('shows the newest 50 events the API returns, with every column', async ({ page, api }) => {
  await page.goto('/events');
  await settled(page);
  const expected = await apiJson<EventsPage>(api, '/api/v1/events?page=1');
  expect(expected.rows).toHaveLength(50);
  await expectLog(page, expected);
  const heads = await page.locator('table[aria-label="Events"] thead th').allInnerTexts();
  expect(heads.map((h) => h.trim().toUpperCase())).toEqual([
    'TIME',
    'TYPE',
    'BRAND',
    'SOURCE',
    'AFFILIATE',
    'SUBID',
    'TAG',
    'AMOUNT',
    'GEO',
    'DETAILS',
  ]);
  // Local time shown, UTC on hover.
  const first = page.locator('tbody tr').first();
  await expect(first.locator('time')).toHaveAttribute('title', / UTC$/);
  // Test events at 60 % opacity.
  const test = expected.rows.find((r) => r.is_test);
  if (test) {
    const cell = page.locator(`tr[data-id="${test.id}"] td`).first();
    await expect(cell).toHaveCSS('opacity', '0.6');
  }
  // Tags amber (in production rows; a test row lifts its palette before dimming it).
  const tagged = expected.rows.find((r) => r.tracking_tag && !r.is_test);
  if (tagged)
    await expect(page.locator(`tr[data-id="${tagged.id}"] .tag-value`)).toHaveCSS(
      'color',
      'rgb(245, 165, 36)',
    );
  await expectAccessible(page, 'events');
});

test('each filter changes the URL and the rows; the badge counts them; Clear resets', async ({
  page,
  api,
}) => {
  await page.goto('/events');
  await settled(page);

  await page.getByRole('button', { name: /Event type/ }).click();
  await page.getByRole('checkbox', { name: 'FTD' }).check();
  await page.getByRole('checkbox', { name: 'CPA' }).check();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/type=FTD%2CCPA|type=FTD,CPA/);
  await expectLog(page, await apiJson<EventsPage>(api, '/api/v1/events?type=FTD,CPA'));
  const badges = await page.locator('tbody .badge').allInnerTexts();
  expect(new Set(badges)).toEqual(new Set(['FTD', 'CPA']));

  await page.getByLabel('Test events').selectOption('production');
  await expect(page).toHaveURL(/test=production/);
  await expectLog(page, await apiJson<EventsPage>(api, '/api/v1/events?type=FTD,CPA&test=production'));

  await page.getByLabel('Source').fill('affise');
  await expect(page).toHaveURL(/source=affise/);
  await expectLog(
    page,
    await apiJson<EventsPage>(api, '/api/v1/events?type=FTD,CPA&test=production&source=affise'),
  );
  await expect(page.getByTestId('filter-count')).toHaveText(/^3/);

  await page.getByTestId('clear-filters').click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByTestId('filter-count')).toHaveCount(0);
  await expectLog(page, await apiJson<EventsPage>(api, '/api/v1/events'));
});

test('brand, date range and tag filters', async ({ page, api }) => {
  const first = (await apiJson<EventsPage>(api, '/api/v1/events')).rows[0] as unknown as {
    brand: string;
    tracking_tag: string;
  };
  const day = new Date().toISOString().slice(0, 10);
  await page.goto(`/events?from=${day}&to=${day}`);
  await settled(page);
  await expectLog(page, await apiJson<EventsPage>(api, `/api/v1/events?from=${day}&to=${day}`));
  await page.getByLabel('Brand').selectOption(first.brand);
  await expect(page).toHaveURL(new RegExp(`brand=${first.brand}`));
  await expectLog(
    page,
    await apiJson<EventsPage>(api, `/api/v1/events?from=${day}&to=${day}&brand=${first.brand}`),
  );

  await page.goto('/events');
  const tag = first.tracking_tag.slice(0, 6);
  await page.getByLabel('Tracking tag').fill(tag);
  await expect(page).toHaveURL(new RegExp(`tag=${tag}`));
  await expectLog(page, await apiJson<EventsPage>(api, `/api/v1/events?tag=${tag}`));
});

test('pages 50 at a time with at most 7 page buttons', async ({ page, api }) => {
  await page.goto('/events');
  await settled(page);
  const pager = page.getByRole('navigation', { name: 'Pages' });
  await expect(pager.getByRole('button', { name: /^Page \d+$/ })).toHaveCount(7);
  await pager.getByRole('button', { name: 'Page 4' }).click();
  await expect(page).toHaveURL(/page=4/);
  const p4 = await apiJson<EventsPage>(api, '/api/v1/events?page=4');
  await expectLog(page, p4);
  const numbers = await pager.getByRole('button', { name: /^Page \d+$/ }).allInnerTexts();
  expect(numbers.map(Number)).toEqual(p4.window);
  await expect(pager.getByRole('button', { name: 'Page 4' })).toHaveAttribute('aria-current', 'page');
  await pager.getByRole('button', { name: 'Last page' }).click();
  await expect(page).toHaveURL(new RegExp(`page=${p4.pages}`));
  await expect(pager.getByRole('button', { name: /^Page \d+$/ })).toHaveCount(7);
});

test('the detail panel shows every raw field and closes by ×, Escape and backdrop', async ({ page, api }) => {
  await page.goto('/events?type=DEP');
  await settled(page);
  const id = (await apiJson<EventsPage>(api, '/api/v1/events?type=DEP')).rows[0]?.id;
  const detail = await apiJson<Record<string, unknown>>(api, `/api/v1/events/${id}`);

  await page.locator(`tr[data-id="${id}"]`).click();
  const panel = page.getByRole('dialog', { name: `Event ${id} details` });
  await expect(panel).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`event=${id}`));
  const fields = panel.getByTestId('event-fields');
  for (const label of [
    'Event ID',
    'Time',
    'Brand',
    'Source',
    'Raw Event',
    'Affiliate ID',
    'SubID',
    'External UID',
    'Transaction ID',
    'Tracking Tag',
    'Traffic Source',
    'Country',
    'Amount',
    'Test flag',
  ]) {
    await expect(fields.locator('dt', { hasText: new RegExp(`^${label}$`) })).toHaveCount(1);
  }
  await expect(fields).toContainText(String(detail.transaction_id));
  await expect(fields).toContainText(String(detail.external_uid));
  await expect(panel.locator('pre.raw').first()).toHaveText(String(detail.raw_query));
  await expectAccessible(page, 'event detail panel');

  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);
  await expect(page).not.toHaveURL(/event=/);

  await page.getByRole('button', { name: `Open event ${id}` }).click();
  await expect(panel).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  await page.locator(`tr[data-id="${id}"]`).click();
  await expect(panel).toBeVisible();
  await page.getByTestId('backdrop').click({ position: { x: 20, y: 300 } });
  await expect(panel).toHaveCount(0);
});

test('CSV export downloads the filtered rows', async ({ page, api }) => {
  await page.goto('/events?type=CPA&test=production');
  await settled(page);
  const expected = await apiJson<EventsPage>(api, '/api/v1/events?type=CPA&test=production&page_size=200');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const lines = readFileSync(await download.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0]?.split(',') ?? [];
  expect(header.slice(0, 5)).toEqual(['id', 'time_utc', 'time_local', 'received_utc', 'type']);
  const rows = lines.slice(1).map((l) => l.split(','));
  expect(rows.length).toBe(expected.total);
  expect(rows.slice(0, expected.rows.length).map((r) => Number(r[0]))).toEqual(
    expected.rows.map((r) => r.id),
  );
  expect(new Set(rows.map((r) => r[4]))).toEqual(new Set(['CPA']));
  // The browser's zone goes with the export (Europe/Madrid in these tests).
  expect(download.url()).toContain('tz=Europe%2FMadrid');
});

test('XLSX export downloads a workbook', async ({ page }) => {
  await page.goto('/events?type=CPA');
  await settled(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-xlsx').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
});

test('an empty result says so and offers to clear the filters', async ({ page }) => {
  await page.goto('/events?tag=no-such-tag-anywhere');
  await expect(page.locator('[data-state="empty"]')).toContainText('No events match these filters');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect
    .poll(async () => parseCount(await page.getByTestId('events-total').textContent()))
    .toBeGreaterThan(0);
});

test('test events are dimmed to 60 % and still readable (no contrast violation)', async ({ page, api }) => {
  await page.goto('/events?test=test');
  await settled(page);
  const expected = await apiJson<EventsPage>(api, '/api/v1/events?test=test');
  expect(expected.rows.length).toBeGreaterThan(0);
  await expectLog(page, expected);
  const firstCell = page.locator('table[aria-label="Events"] tbody tr.test-event td').first();
  await expect(firstCell).toHaveCSS('opacity', '0.6');
  await expectAccessible(page, 'test events');
});
