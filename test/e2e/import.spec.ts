/**
 * The Import page in Chromium: a small CSV with one bad line into a built-in source
 * (fresh transaction ids and brand slug, so no other spec sees a change): the preview shows its
 * rows with the field of each column and the bad row's reason; the import shows its progress bar,
 * then the accepted/rejected counts and the bad line with its reason; the events API returns the
 * good rows. An XLSX workbook: choosing its worksheet, then a dry run that stores nothing. Axe on
 * each state, and nothing wider than a phone screen.
 */

import type { APIRequestContext } from '@playwright/test';
import ExcelJS from 'exceljs';
import { apiJson, expect, expectAccessible, test } from './helpers/fixtures';

/** The source imported into: cellxpert when active (any template reads canonical column names). */
async function pickSource(api: APIRequestContext): Promise<string> {
  const setup = await apiJson<{ sources: Array<{ slug: string; isActive: boolean }> }>(
    api,
    '/api/admin/import',
  );
  const active = setup.sources.filter((s) => s.isActive).map((s) => s.slug);
  const slug = active.includes('cellxpert') ? 'cellxpert' : active[0];
  if (!slug) throw new Error('no active source to import into');
  return slug;
}

interface EventsAnswer {
  total: number;
  rows: Array<{ type: string; amount: string | null; currency: string | null; source: string }>;
}

function runId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

test('imports a CSV with one bad line: preview, progress, counts, the bad line, the events', async ({
  page,
  api,
}) => {
  const SOURCE = await pickSource(api);
  const run = runId();
  const brand = `e2eimp${run}`;
  const file = `import-${run}.csv`;
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const csv = [
    'event,brand,amount,currency,transaction_id,occurred_at,notes',
    `reg,${brand},,,${run}-1,${day}T09:00:00Z,first`,
    `ftd,${brand},25.50,EUR,${run}-2,${day}T10:00:00Z,`,
    `bogus,${brand},,,${run}-3,${day}T11:00:00Z,`,
    `cpa,${brand},40,EUR,${run}-4,${day}T12:00:00Z,`,
  ].join('\n');

  await page.goto(`/admin/import?source=${SOURCE}`);
  await expect(page.getByTestId('import-source')).toHaveValue(SOURCE);
  await expect(page.getByRole('heading', { name: 'Choose a file to import' })).toBeVisible();
  await expectAccessible(page, 'import, nothing chosen');

  await page.locator('input[type="file"]').setInputFiles({
    name: file,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });

  const preview = page.getByRole('table', { name: `Preview of ${file}` });
  await expect(preview.locator('tbody tr')).toHaveCount(4);
  const head = preview.locator('thead');
  await expect(head).toContainText('→ transaction_id');
  await expect(head).toContainText('→ occurred_at');
  await expect(page.getByTestId('no-time-column')).toHaveCount(0);
  await expect(head.locator('th', { hasText: 'notes' })).toContainText('ignored');
  await expect(preview.locator('tr[data-line="3"]')).toContainText('OK');
  await expect(preview.locator('tr[data-line="3"]')).toContainText('FTD');
  await expect(preview.locator('tr[data-line="4"]')).toContainText('REJECTED');
  await expect(preview.locator('tr[data-line="4"]')).toContainText('unknown event type "bogus"');
  await expectAccessible(page, 'import preview');

  // Nothing is stored by the preview.
  const before = await apiJson<EventsAnswer>(api, `/api/v1/events?brand=${brand}`);
  expect(before.total).toBe(0);

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const job = page.getByTestId('import-job');
  await expect(page.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
  await expect(job).toHaveAttribute('data-state', 'finished');
  await expect(page.getByTestId('import-state')).toHaveText('Import finished');
  await expect(page.getByTestId('import-rows')).toHaveText('4');
  await expect(page.getByTestId('import-accepted')).toHaveText('3');
  await expect(page.getByTestId('import-rejected')).toHaveText('1');
  const errors = page.getByRole('table', { name: 'Rejected rows' });
  await expect(errors.locator('tbody tr')).toHaveCount(1);
  await expect(errors.locator('tr[data-line="4"]')).toContainText('unknown event type "bogus"');
  await expect(errors.locator('tr[data-line="4"]')).toContainText('unknown_event');
  await expect(page).toHaveURL(/[?&]job=[0-9a-f-]{36}/);
  await expectAccessible(page, 'import result');

  const events = await apiJson<EventsAnswer>(api, `/api/v1/events?brand=${brand}`);
  expect(events.total).toBe(3);
  expect(events.rows.map((r) => [r.type, r.amount, r.currency, r.source]).sort()).toEqual([
    ['CPA', '40', 'EUR', SOURCE],
    ['FTD', '25.5', 'EUR', SOURCE],
    ['REG', null, null, SOURCE],
  ]);

  // The link opens the event log filtered to the imported rows.
  await page.getByTestId('import-events-link').click();
  await expect(page).toHaveURL(new RegExp(`/events\\?.*brand=${brand}`));
  await expect(page.locator('table.data tbody tr')).toHaveCount(3);
});

test('an XLSX workbook: choose the worksheet, dry run stores nothing', async ({ page, api }) => {
  const SOURCE = await pickSource(api);
  const run = runId();
  const brand = `e2exl${run}`;
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Read me').addRow(['This sheet explains the export']);
  const ws = wb.addWorksheet('Deposits');
  ws.addRow(['event', 'brand', 'amount', 'currency', 'transaction_id']);
  ws.addRow(['dep', brand, 10, 'USD', `${run}-1`]);
  ws.addRow(['dep', brand, 'ten', 'USD', `${run}-2`]);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/admin/import?source=${SOURCE}`);
  await page.locator('input[type="file"]').setInputFiles({
    name: `book-${run}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer,
  });
  // The first worksheet has no brand column: the page says so and offers the worksheets.
  await expect(page.getByTestId('import-header-problem')).toContainText(
    'no brand column in the header (row 1)',
  );
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await page.getByTestId('import-sheet').selectOption('Deposits');
  const preview = page.getByRole('table', { name: `Preview of book-${run}.xlsx` });
  await expect(preview.locator('tbody tr')).toHaveCount(2);
  // No time column: the page says every row will be dated at the import.
  await expect(page.getByTestId('no-time-column')).toContainText('dated at the moment of the import');
  await expect(preview.locator('tr[data-line="3"]')).toContainText('REJECTED');

  await page.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByTestId('import-job')).toHaveAttribute('data-state', 'finished');
  await expect(page.getByTestId('import-state')).toHaveText('Dry run finished: nothing was stored');
  await expect(page.getByTestId('import-accepted')).toHaveText('1');
  await expect(page.getByRole('table', { name: 'Rejected rows' }).locator('tr[data-line="3"]')).toContainText(
    'invalid_amount',
  );
  await expect(page.getByTestId('import-events-link')).toHaveCount(0);
  expect((await apiJson<EventsAnswer>(api, `/api/v1/events?brand=${brand}`)).total).toBe(0);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page, 'import dry run at 390 px');
});
