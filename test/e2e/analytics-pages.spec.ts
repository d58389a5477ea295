/** Stats, Compare, Brands (+ a brand), Sources, Deal Audit, Affiliates (+ one): API numbers, URL filters, axe. */
import { readFileSync } from 'node:fs';
import { apiJson, expect, expectAccessible, fmt, settled, test } from './helpers/fixtures';

interface Counts {
  CLICK: number;
  REG: number;
  FTD: number;
  DEP: number;
  REDEP: number;
  CPA: number;
}
const TYPES = ['CLICK', 'REG', 'FTD', 'CPA', 'REDEP', 'DEP'] as const;

test.describe('Stats', () => {
  interface Stats {
    summary: { counts: Counts };
    total_rows: number;
    rows: { key: string; label: string; events: number; counts: Counts }[];
  }

  test('shows the summary and the breakdown the API returns', async ({ page, api }) => {
    await page.goto('/stats');
    await settled(page);
    const stats = await apiJson<Stats>(api, '/api/v1/stats?period=this_week');
    for (const t of TYPES)
      await expect(page.locator(`[data-kpi="${t}"] .value`)).toHaveText(fmt(stats.summary.counts[t]));
    await expect(page.getByTestId('stats-rows')).toContainText(`${fmt(stats.total_rows)} rows`);
    const rows = page.locator('table[aria-label="Stats By Source"] tbody tr');
    await expect(rows).toHaveCount(stats.rows.length);
    const first = stats.rows[0];
    if (first) {
      const cells = rows.first().locator('td');
      await expect(cells.nth(0)).toHaveText(first.label);
      await expect(cells.nth(1)).toHaveText(fmt(first.events));
      await expect(cells.nth(3)).toHaveText(fmt(first.counts.REG));
    }
    await expectAccessible(page, 'stats');
  });

  test('dimension, search, period and sort change the URL and the rows', async ({ page, api }) => {
    await page.goto('/stats');
    await page.getByRole('button', { name: 'By Geo' }).click();
    await expect(page).toHaveURL(/dimension=geo/);
    await page.getByLabel('Geo contains').fill('ES');
    await expect(page).toHaveURL(/search=ES/);
    await page.getByRole('button', { name: 'This Month', exact: true }).click();
    await expect(page).toHaveURL(/period=this_month/);
    await page.getByRole('button', { name: 'REG', exact: true }).click();
    await expect(page).toHaveURL(/sort=REG/);
    await settled(page);
    const stats = await apiJson<Stats>(
      api,
      '/api/v1/stats?period=this_month&dimension=geo&search=ES&sort=REG&order=desc',
    );
    const labels = await page
      .locator('table[aria-label="Stats By Geo"] tbody tr td:first-child')
      .allInnerTexts();
    expect(labels).toEqual(stats.rows.map((r) => r.label));
    // The cards follow the search: they count the rows listed.
    await expect(page.getByTestId('summary-scope')).toContainText('“ES”');
    await expect(page.locator('[data-kpi="REG"] .value')).toHaveText(fmt(stats.summary.counts.REG));
  });

  test('exports the breakdown as CSV', async ({ page }) => {
    await page.goto('/stats?dimension=source');
    await settled(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.split(/\r?\n/)[0]).toMatch(/^\w+/);
    expect(text.trim().split(/\r?\n/).length).toBeGreaterThan(1);
  });
});

test.describe('Compare', () => {
  interface Compare {
    metrics: { metric: string; current: number; previous: number }[];
    rates: { rate: string }[];
  }

  test('day, week, month and last-month modes show the API comparison', async ({ page, api }) => {
    for (const mode of ['day', 'week', 'month', 'last_month'] as const) {
      await page.goto(mode === 'day' ? '/compare' : `/compare?mode=${mode}`);
      await settled(page);
      const cmp = await apiJson<Compare>(api, `/api/v1/compare?mode=${mode}`);
      for (const m of cmp.metrics) {
        const card = page.locator(`[data-metric="${m.metric}"]`);
        await expect(card.locator('.value')).toHaveText(fmt(m.current));
        await expect(card.locator('.prev')).toContainText(fmt(m.previous));
      }
      await expect(page.locator('table[aria-label="Conversion rates"] tbody tr')).toHaveCount(
        cmp.rates.length,
      );
    }
    await expectAccessible(page, 'compare');
  });

  test('the brand filter and custom mode live in the URL', async ({ page, api }) => {
    await page.goto('/compare');
    await page.getByRole('button', { name: 'Week' }).click();
    await expect(page).toHaveURL(/mode=week/);
    await page.getByLabel('Brand').selectOption('joka');
    await expect(page).toHaveURL(/brand=joka/);
    await settled(page);
    const cmp = await apiJson<Compare>(api, '/api/v1/compare?mode=week&brand=joka');
    const reg = cmp.metrics.find((m) => m.metric === 'REG');
    await expect(page.locator('[data-metric="REG"] .value')).toHaveText(fmt(reg?.current ?? 0));

    await page.getByRole('button', { name: 'Custom' }).click();
    // Two dates by default: a day against a day.
    await page.getByLabel('Date (UTC)').fill('2026-10-20');
    await page.getByLabel('Compared with').fill('2026-10-13');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page).toHaveURL(/from=2026-10-20/);
    await expect(page).toHaveURL(/compare_to=2026-10-13/);
    await settled(page);
    const days = await apiJson<Compare>(
      api,
      '/api/v1/compare?mode=custom&from=2026-10-20&to=2026-10-20&compare_from=2026-10-13&compare_to=2026-10-13&brand=joka',
    );
    const dreg = days.metrics.find((m) => m.metric === 'REG');
    await expect(page.locator('[data-metric="REG"] .value')).toHaveText(fmt(dreg?.current ?? 0));
    await expect(page.locator('[data-metric="REG"] .prev')).toContainText(fmt(dreg?.previous ?? 0));

    // Ranges on request.
    await page.getByRole('button', { name: 'Compare ranges instead' }).click();
    await page.getByLabel('Period from (UTC)').fill('2026-10-01');
    await page.getByLabel('Period to').fill('2026-10-31');
    await page.getByLabel('Compare from (optional)').fill('');
    await page.getByLabel('Compare to').fill('');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page).toHaveURL(/mode=custom.*from=2026-10-01|from=2026-10-01.*mode=custom/);
    await settled(page);
    const custom = await apiJson<Compare>(
      api,
      '/api/v1/compare?mode=custom&from=2026-10-01&to=2026-10-31&brand=joka',
    );
    const creg = custom.metrics.find((m) => m.metric === 'REG');
    await expect(page.locator('[data-metric="REG"] .value')).toHaveText(fmt(creg?.current ?? 0));
  });
});

test.describe('Brands', () => {
  interface Brands {
    rows: { slug: string; name: string; events: number }[];
  }

  test('lists the brands the API returns; search and sort are in the URL; a click opens the brand', async ({
    page,
    api,
  }) => {
    await page.goto('/brands');
    await settled(page);
    const brands = await apiJson<Brands>(api, '/api/v1/brands?period=this_month');
    await expect(page.getByTestId('brands-total')).toContainText(`${brands.rows.length} brands`);
    const ids = () =>
      page
        .locator('table[aria-label="Brands"] tbody tr')
        .evaluateAll((r) => r.map((x) => x.getAttribute('data-id')));
    await expect.poll(ids).toEqual(brands.rows.map((b) => b.slug));
    await expectAccessible(page, 'brands');

    await page.getByRole('button', { name: /^Brand/ }).click();
    await expect(page).toHaveURL(/sort=name/);
    const byName = await apiJson<Brands>(
      api,
      `/api/v1/brands?period=this_month&sort=name&order=${new URL(page.url()).searchParams.get('order') ?? 'desc'}`,
    );
    await expect.poll(ids).toEqual(byName.rows.map((b) => b.slug));

    await page.getByRole('searchbox', { name: 'Search' }).fill('jo');
    await expect(page).toHaveURL(/search=jo/);
    const found = await apiJson<Brands>(api, '/api/v1/brands?period=this_month&search=jo');
    await expect.poll(ids).toEqual(expect.arrayContaining(found.rows.map((b) => b.slug)));

    const slug = found.rows[0]?.slug ?? 'joka';
    await page.locator(`tr[data-id="${slug}"]`).click();
    await expect(page).toHaveURL(new RegExp(`/brands/${slug}`));
    await settled(page);
    const brand = await apiJson<{ summary: { counts: Counts }; sources: unknown[] }>(
      api,
      `/api/v1/brands/${slug}?period=this_month`,
    );
    await expect(page.getByTestId('brand-name')).toHaveText(slug);
    for (const t of TYPES)
      await expect(page.locator(`[data-kpi="${t}"] .value`)).toHaveText(fmt(brand.summary.counts[t]));
    await expect(page.locator('table[aria-label="Brand sources"] tbody tr')).toHaveCount(
      brand.sources.length,
    );
    await expectAccessible(page, 'brand page');
  });
});

test.describe('Sources', () => {
  interface Sources {
    rows: { source: string; events: number; counts: Counts; status: string }[];
  }

  test('one card per source with the API figures; the brand filter narrows them', async ({ page, api }) => {
    await page.goto('/sources');
    await settled(page);
    const sources = await apiJson<Sources>(api, '/api/v1/sources?period=this_week');
    await expect(page.locator('[data-source]')).toHaveCount(sources.rows.length);
    for (const s of sources.rows) {
      const card = page.locator(`[data-source="${s.source}"]`);
      await expect(card.getByTestId('source-events')).toHaveText(fmt(s.events));
      await expect(card.locator('[data-count="REG"] strong')).toHaveText(fmt(s.counts.REG));
      await expect(card).toContainText(s.status.toUpperCase());
    }
    await expectAccessible(page, 'sources');
    await page.getByLabel('Brand').selectOption('joka');
    await expect(page).toHaveURL(/brand=joka/);
    await settled(page);
    const joka = await apiJson<Sources>(api, '/api/v1/sources?period=this_week&brand=joka');
    for (const s of joka.rows)
      await expect(page.locator(`[data-source="${s.source}"]`).getByTestId('source-events')).toHaveText(
        fmt(s.events),
      );
  });
});

test.describe('Deal Audit', () => {
  interface Deals {
    rows: {
      brand: string;
      source: string;
      reg: number;
      ftd: number;
      orphan_ftds: number;
      problems: boolean;
    }[];
  }

  test('rows, problems-only filter, sort, drill-down and CSV match the API', async ({ page, api }) => {
    await page.goto('/deals');
    await settled(page);
    const deals = await apiJson<Deals>(api, '/api/v1/deals?period=this_month');
    const ids = () =>
      page
        .locator('table[aria-label="Deals"] tbody tr')
        .evaluateAll((r) => r.map((x) => x.getAttribute('data-id')));
    await expect.poll(ids).toEqual(deals.rows.map((d) => `${d.brand}/${d.source}`));
    await expectAccessible(page, 'deal audit');

    await page.getByLabel('Problems only').check();
    await expect(page).toHaveURL(/problems=1|problems=true/);
    const problems = await apiJson<Deals>(api, '/api/v1/deals?period=this_month&problems_only=true');
    await expect.poll(ids).toEqual(problems.rows.map((d) => `${d.brand}/${d.source}`));

    await page.getByRole('button', { name: /^Orphan FTDs/ }).click();
    await expect(page).toHaveURL(/sort=orphan_ftds/);
    const sorted = await apiJson<Deals>(
      api,
      '/api/v1/deals?period=this_month&problems_only=true&sort=orphan_ftds&order=desc',
    );
    await expect.poll(ids).toEqual(sorted.rows.map((d) => `${d.brand}/${d.source}`));

    const orphaned = sorted.rows.find((d) => d.orphan_ftds > 0);
    if (orphaned) {
      await page.locator(`tr[data-id="${orphaned.brand}/${orphaned.source}"]`).click();
      const panel = page.getByRole('dialog');
      await expect(panel.getByTestId('deal-orphans')).toContainText(`Orphan FTDs (${orphaned.orphan_ftds})`);
      await page.keyboard.press('Escape');
      await expect(panel).toHaveCount(0);
    }

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines.length - 1).toBe(sorted.rows.length);
  });
});

test.describe('Affiliates', () => {
  interface Affiliates {
    rows: { affiliate_id: string; unresolved_macro: string | null; events: number; counts: Counts }[];
  }

  test('rows match the API; search and brand filter are in the URL; a click opens the affiliate', async ({
    page,
    api,
  }) => {
    await page.goto('/affiliates');
    await settled(page);
    const affs = await apiJson<Affiliates>(api, '/api/v1/affiliates?period=this_week');
    // Events without an affiliate, or with a macro for one, are rows but no affiliates.
    const named = affs.rows.filter((r) => r.affiliate_id !== '' && r.unresolved_macro === null);
    await expect(page.getByTestId('affiliates-total')).toContainText(`${fmt(named.length)} affiliates`);
    const first = named[0];
    if (!first) return;
    const row = page.locator(`tr[data-id="${first.affiliate_id}"]`);
    await expect(row.locator('td').nth(1)).toHaveText(fmt(first.events));
    await expectAccessible(page, 'affiliates');

    await page.getByLabel('Affiliate ID').fill(first.affiliate_id);
    await expect(page).toHaveURL(new RegExp(`search=${first.affiliate_id}`));
    await expect(page.locator('table[aria-label="Affiliates"] tbody tr')).toHaveCount(
      (await apiJson<Affiliates>(api, `/api/v1/affiliates?period=this_week&search=${first.affiliate_id}`))
        .rows.length,
    );
    await row.click();
    await expect(page).toHaveURL(new RegExp(`/affiliates/${first.affiliate_id}`));
    await settled(page);
    const one = await apiJson<{ counts: Counts; by_brand: unknown[] }>(
      api,
      `/api/v1/affiliates/${first.affiliate_id}?period=this_week`,
    );
    for (const t of TYPES)
      await expect(page.locator(`[data-kpi="${t}"] .value`)).toHaveText(fmt(one.counts[t]));
    await expect(page.locator('table[aria-label="By brand"] tbody tr')).toHaveCount(one.by_brand.length);
    await expect(page.getByTestId('affiliate-scope')).toHaveCount(0);
    await expectAccessible(page, 'affiliate page');

    // A brand carried over from the list is shown, and can be dropped.
    const brand = (one.by_brand[0] as { key?: string } | undefined)?.key;
    if (!brand) return;
    await page.goto(`/affiliates/${first.affiliate_id}?period=this_week&brand=${brand}`);
    await expect(page.getByTestId('affiliate-scope')).toContainText(`brand ${brand}`);
    await page.getByRole('button', { name: 'Show all brands and sources' }).click();
    await expect(page).not.toHaveURL(/brand=/);
    await expect(page.getByTestId('affiliate-scope')).toHaveCount(0);
    // A drill-down to the brand keeps the period.
    await expect(page.locator('table[aria-label="By brand"] tbody a').first()).toHaveAttribute(
      'href',
      /period=this_week/,
    );
  });
});
