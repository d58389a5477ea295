/** At phone width (390 px) no page is wider than the screen: wide tables scroll inside their box. */
import { expect, settled, test } from './helpers/fixtures';

const PAGES = [
  '/',
  '/events',
  '/stats',
  '/compare',
  '/brands',
  '/brands/joka',
  '/sources',
  '/affiliates',
  '/deals',
  '/admin/broken-tags',
  '/settings/users',
  '/settings/api-clients',
  '/settings/bots',
  '/admin/rejections',
  '/admin/audit',
  '/settings',
];

test.use({ viewport: { width: 390, height: 844 } });

test('no page overflows a 390 px screen', async ({ page }) => {
  test.setTimeout(120_000);
  for (const path of PAGES) {
    await page.goto(path);
    await settled(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} is ${width}px wide`).toBeLessThanOrEqual(390);
  }
});
