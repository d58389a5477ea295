/** Dashboard: the numbers are the API's, filters live in the URL, refresh refetches. */
import { apiJson, expect, expectAccessible, fmt, settled, test } from './helpers/fixtures';

interface Summary {
  counts: Record<string, number>;
  revenue: { currency: string; amount: string }[];
  rates: Record<string, { value: number | null; colour: 'green' | 'red' | null }>;
}
interface Series {
  granularity: 'hour' | 'day';
  points: unknown[];
}
interface Recent {
  rows: { id: number; type: string; brand: string }[];
}

const TYPES = ['CLICK', 'REG', 'FTD', 'CPA', 'REDEP', 'DEP'];

async function expectKpis(page: import('@playwright/test').Page, summary: Summary) {
  for (const type of TYPES) {
    await expect(page.locator(`[data-kpi="${type}"] .value`)).toHaveText(fmt(summary.counts[type] ?? 0));
  }
  for (const [name, rate] of Object.entries(summary.rates)) {
    const card = page.locator(`[data-rate="${name}"]`);
    await expect(card).toHaveAttribute('data-colour', rate.colour ?? 'none');
    await expect(card.locator('.value')).toHaveText(
      rate.value === null ? '—' : `${(rate.value * 100).toFixed(1)}%`,
    );
  }
  const positive = summary.revenue.filter((m) => Number(m.amount) > 0);
  await expect(page.getByTestId('revenue')).toHaveCount(positive.length > 0 ? 1 : 0);
  for (const m of positive) await expect(page.locator(`[data-currency="${m.currency}"]`)).toBeVisible();
}

test('shows the KPIs, rates, chart and feed the API returns for today', async ({ page, api }) => {
  await page.goto('/');
  await settled(page);
  const summary = await apiJson<Summary>(api, '/api/v1/summary?period=today');
  await expectKpis(page, summary);
  await expect(page.locator('[data-kpi="CPA"]')).toHaveClass(/primary/);

  const series = await apiJson<Series>(api, '/api/v1/timeseries?period=today');
  expect(series.granularity).toBe('hour');
  await expect(page.getByTestId('activity-chart')).toHaveAttribute(
    'data-points',
    String(series.points.length),
  );
  await expect(page.locator('.recharts-area')).toHaveCount(3);

  const recent = await apiJson<Recent>(api, '/api/v1/events/recent');
  const feed = page.getByTestId('recent-feed').locator('li');
  await expect(feed).toHaveCount(recent.rows.length);
  await expect(feed.first()).toHaveAttribute('data-id', String(recent.rows[0]?.id));
  await expect(feed.first().locator('.badge')).toHaveText(recent.rows[0]?.type ?? '');
  await expectAccessible(page, 'dashboard');
});

test('the period, brand and source filters change the URL and the numbers', async ({ page, api }) => {
  await page.goto('/');
  await settled(page);
  await page.getByRole('button', { name: 'This Month', exact: true }).click();
  await expect(page).toHaveURL(/[?&]period=this_month/);
  await expect(page.getByText('daily')).toBeVisible();
  await settled(page);
  await expectKpis(page, await apiJson<Summary>(api, '/api/v1/summary?period=this_month'));

  const brands = await apiJson<{ rows: { slug: string }[] }>(api, '/api/v1/brands?period=this_month');
  const brand = brands.rows[0]?.slug ?? '';
  await page.getByLabel('Brand').selectOption(brand);
  await expect(page).toHaveURL(new RegExp(`brand=${brand}`));
  await page.getByLabel('Source').selectOption('affise');
  await expect(page).toHaveURL(/source=affise/);
  await expect(page.getByTestId('filter-count')).toContainText('2');
  await settled(page);
  await expectKpis(
    page,
    await apiJson<Summary>(api, `/api/v1/summary?period=this_month&brand=${brand}&source=affise`),
  );

  // The view is a link: opening it again shows the same filters.
  await page.reload();
  await expect(page.getByLabel('Brand')).toHaveValue(brand);
  await expect(page.getByRole('button', { name: 'This Month', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  await page.getByTestId('clear-filters').click();
  await expect(page).not.toHaveURL(/brand=/);
  await expect(page).toHaveURL(/period=this_month/);
});

test('a custom range and a broken URL fall back sensibly', async ({ page, api }) => {
  await page.goto('/?period=bogus&brand=%%%&source=');
  await settled(page);
  await expect(page.getByRole('button', { name: 'Today', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expectKpis(page, await apiJson<Summary>(api, '/api/v1/summary?period=today'));

  await page.goto('/?from=2026-01-01&to=2026-01-31');
  await settled(page);
  await expect(page.getByRole('button', { name: 'Custom' })).toHaveAttribute('aria-pressed', 'true');
  await expectKpis(page, await apiJson<Summary>(api, '/api/v1/summary?from=2026-01-01&to=2026-01-31'));
});

test('↺ refetches every figure on the page', async ({ page }) => {
  await page.goto('/');
  await settled(page);
  const seen = new Set<string>();
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/')) seen.add(path);
  });
  await page.getByTestId('refresh').click();
  await expect
    .poll(() => [...seen].sort())
    .toEqual(expect.arrayContaining(['/api/v1/events/recent', '/api/v1/summary', '/api/v1/timeseries']));
});

test('says when figures are still being counted, and asks again until they are whole', async ({ page }) => {
  // The server marks a read answered before every stored event was counted (under load) with
  // X-Figures-Pending; here the first summary answer carries it, the later ones do not.
  let summaries = 0;
  await page.route('**/api/v1/summary?*', async (route) => {
    summaries++;
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if (summaries === 1) headers['x-figures-pending'] = '1';
    await route.fulfill({ response, headers });
  });
  await page.goto('/');
  const chip = page.getByTestId('figures-pending');
  await expect(chip).toBeVisible();
  await expect(chip).toHaveText('Counting new events…');
  await expect(chip).toBeHidden({ timeout: 10_000 });
  expect(summaries).toBeGreaterThanOrEqual(2);
});
