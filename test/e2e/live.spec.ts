/**
 * Live push: a postback sent while a page is open appears without a reload — at the top of the
 * dashboard feed (and the KPI cards follow), at the top of the event log's page 1 (highlighted),
 * and as a "N new events" notice on a later page of the log. Each test posts its own events for
 * a brand slug of its own; most are test events, which the dashboard's production KPIs do not
 * count, so specs running beside this one keep their numbers (one production FTD proves the
 * cards follow). Accessibility is checked with production rows highlighted: test rows are shown
 * at 60 % opacity by design, which axe rates below the contrast threshold.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;

/** Sends one postback through the demo's REFERON source and returns the stored event's id. */
async function postback(
  api: APIRequestContext,
  params: { event: string; brand: string; test?: boolean },
): Promise<number> {
  const { slug, key } = e2eState().postback;
  const tx = unique('live-tx');
  const search = new URLSearchParams({
    key,
    event: params.event,
    brand: params.brand,
    transaction_id: tx,
    customer_id: tx,
    ...(params.test ? { test: '1' } : {}),
  });
  const res = await api.get(`/postback/${slug}?${search}`);
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as { status: string; event_id: number };
  expect(body.status).toBe('accepted');
  return body.event_id;
}

/** Marks the document, so a test can tell the page was not reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.liveMark = 'kept';
  });
}

async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.dataset.liveMark)).toBe('kept');
}

test('a postback appears at the top of the dashboard feed and the KPIs follow, without a reload', async ({
  page,
  api,
}) => {
  const brand = unique('live-dash');
  await page.goto(`/?brand=${brand}`);
  await settled(page);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('live-indicator')).toHaveText('Live');
  await expect(page.getByText('No events yet')).toBeVisible();
  // The empty feed sends an admin to the Link Generator.
  await expect(
    page.locator('[data-state="empty"]').getByRole('link', { name: 'Link Generator' }),
  ).toHaveAttribute('href', '/links');
  await expect(page.locator('[data-kpi="REG"] .value')).toHaveText('0');
  await markDocument(page);

  // A production FTD of the shown brand: it tops the feed, highlighted, and the cards follow.
  const first = await postback(api, { event: 'ftd', brand });
  const feed = page.getByTestId('recent-feed').locator('li');
  await expect(feed).toHaveCount(1);
  await expect(feed.first()).toHaveAttribute('data-id', String(first));
  await expect(feed.first()).toHaveClass(/live-new/);
  await expect(feed.first().locator('.badge')).toHaveText('FTD');
  await expect(feed.first().locator('.brand')).toHaveText(brand);
  await expect(page.locator('[data-kpi="FTD"] .value')).toHaveText('1');
  await expectAccessible(page, 'dashboard with a live arrival');

  // A test REG joins the feed above it; the production cards do not count it.
  const second = await postback(api, { event: 'reg', brand, test: true });
  await expect(feed).toHaveCount(2);
  await expect(feed.first()).toHaveAttribute('data-id', String(second));
  await expect(feed.first()).toHaveClass(/test-event/);
  const recent = await apiJson<{ rows: { id: number }[] }>(api, `/api/v1/events/recent?brand=${brand}`);
  expect(recent.rows.map((r) => r.id)).toEqual([second, first]);
  const summary = await apiJson<{ counts: Record<string, number> }>(
    api,
    `/api/v1/summary?period=today&brand=${brand}`,
  );
  expect(summary.counts).toMatchObject({ REG: 0, FTD: 1 });
  await expect(page.locator('[data-kpi="FTD"] .value')).toHaveText('1');
  await expect(page.locator('[data-kpi="REG"] .value')).toHaveText('0');
  await expectNotReloaded(page);
});

test('the event log shows arrivals at the top of page 1 and counts them on later pages', async ({
  page,
  api,
}) => {
  const brand = unique('live-log');
  await page.goto(`/events?brand=${brand}`);
  await settled(page);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await expectAccessible(page, 'events with the live mark');
  await markDocument(page);

  const id = await postback(api, { event: 'cpa', brand, test: true });
  const row = page.locator(`table[aria-label="Events"] tbody tr[data-id="${id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toHaveClass(/live-new/);
  await expect(row).toHaveClass(/test-event/);
  await expect(page.getByTestId('events-total')).toContainText('1 events');
  await expectNotReloaded(page);

  // On page 2 rows stay put: the arrival is only counted, and "Show newest" leads to it. The page
  // is of this test's own brand (50 more events make a page 2), so that postbacks of tests
  // running alongside are not counted too.
  for (let i = 0; i < 50; i++) await postback(api, { event: 'reg', brand, test: true });
  await page.goto(`/events?brand=${brand}&page=2`);
  await settled(page);
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  const before = await page.locator('table[aria-label="Events"] tbody tr').first().getAttribute('data-id');
  await markDocument(page);
  const later = await postback(api, { event: 'reg', brand, test: true });
  const notice = page.getByTestId('new-events');
  await expect(notice).toContainText('1 new event since this page was loaded');
  await expect(page.locator('table[aria-label="Events"] tbody tr').first()).toHaveAttribute(
    'data-id',
    before ?? '',
  );
  await expectAccessible(page, 'events with the new-events notice');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1440, height: 900 });

  await notice.getByRole('button', { name: 'Show newest' }).click();
  await expect(page).not.toHaveURL(/page=2/);
  await expect(page.locator(`table[aria-label="Events"] tbody tr[data-id="${later}"]`)).toBeVisible();
  await expect(notice).toHaveCount(0);
  await expectNotReloaded(page);
});
