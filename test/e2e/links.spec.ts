/**
 * Link Generator: the URLs shown are the API's (with the demo source's key), each has a copy
 * button that copies it exactly, the choices live in the URL, and a test postback goes through the
 * real endpoint and shows the stored event land. Each test posts for its own new brand slug.
 */
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';
import { e2eState } from './helpers/state';

interface Links {
  types: string[];
  links: { id: string; types: string[]; url: string }[];
}
interface EventDetail {
  id: number;
  type: string;
  brand: string;
  source: string;
  is_test: boolean;
  amount: string | null;
  currency: string | null;
  transaction_id: string | null;
  external_uid: string | null;
}

const uniqueBrand = () => `linkgen${String(Date.now()).slice(-7)}${Math.floor(Math.random() * 100)}`;

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('shows the API’s URLs for the demo source, fires a test postback and shows it land', async ({
  page,
  api,
}) => {
  const { slug, key } = e2eState().postback;
  const brand = uniqueBrand();
  await page.goto(`/links?source=${slug}&brand=${brand}&types=REG,FTD`);
  await settled(page);
  const expected = await apiJson<Links>(api, `/api/admin/links?source=${slug}&brand=${brand}&types=REG,FTD`);
  expect(expected.links.map((l) => l.id)).toEqual(['REG', 'FTD']);
  for (const link of expected.links) {
    expect(link.url).toContain(`/postback/${slug}?key=${key}&event=`);
    expect(link.url).toContain(`&brand=${brand}&`);
  }
  await expect(page.getByTestId('link-url')).toHaveText(expected.links.map((l) => l.url));
  await expect(page.getByTestId('copy-url')).toHaveCount(2);
  await expectAccessible(page, 'link generator');

  const card = page.locator('[data-testid="link-card"][data-link="FTD"]');
  await card.getByRole('button', { name: 'Copy the FTD URL' }).click();
  await expect(card.getByRole('button', { name: 'Copy the FTD URL' })).toContainText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected.links[1]?.url);

  await card.getByRole('button', { name: 'Fire a test postback' }).click();
  const outcome = card.getByTestId('test-outcome');
  await expect(outcome).toContainText('ACCEPTED');
  const landed = card.getByTestId('landed-event');
  await expect(landed).toContainText('Landed in the event log');
  const id = Number(await landed.getAttribute('data-event-id'));
  const event = await apiJson<EventDetail>(api, `/api/v1/events/${id}`);
  expect(event).toMatchObject({
    type: 'FTD',
    brand,
    source: slug,
    is_test: true,
    amount: '25',
    currency: 'EUR',
  });
  expect(event.external_uid).toMatch(/^linkgen-player-/);
  await expect(landed.locator('.badge[data-type="FTD"]')).toBeVisible();
  await expect(landed.getByTestId('landed-brand')).toHaveText(brand);
  await expect(landed.getByTestId('landed-amount')).toHaveText('25.00 EUR');
  await expect(landed.getByTestId('landed-id')).toHaveText(event.external_uid ?? '');
  await expect(landed.getByRole('link', { name: `#${id}` })).toHaveAttribute(
    'href',
    new RegExp(`event=${id}`),
  );
  // What was sent, on request.
  await card.getByTestId('test-sent').locator('summary').click();
  await expect(card.getByTestId('test-sent')).toContainText(event.external_uid ?? '');
  await expectAccessible(page, 'link generator with a test result');
  // Usable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('keeps the source, brand and types in the URL, and defaults to the platform’s types', async ({
  page,
  api,
}) => {
  const brand = uniqueBrand();
  await page.goto('/links');
  await expect(page.getByText('Choose a source and a brand')).toBeVisible();
  // The test server's base URL is 127.0.0.1: no network could reach it, and the page says so.
  await expect(page.getByTestId('base-url-warning')).toContainText('PUBLIC_BASE_URL');
  await page.getByLabel('Source').selectOption('cellxpert');
  await page.getByTestId('brand-input').fill(brand);
  await expect(page).toHaveURL(
    new RegExp(`source=cellxpert.*brand=${brand}|brand=${brand}.*source=cellxpert`),
  );
  const defaults = await apiJson<Links>(api, `/api/admin/links?source=cellxpert&brand=${brand}`);
  expect(defaults.types).toEqual(['REG', 'FTD', 'CPA']);
  await expect(page.getByTestId('link-url')).toHaveText(defaults.links.map((l) => l.url));

  await page.getByRole('checkbox', { name: 'REG' }).uncheck();
  await expect(page).toHaveURL(/types=FTD(%2C|,)CPA/);
  const fewer = await apiJson<Links>(api, `/api/admin/links?source=cellxpert&brand=${brand}&types=FTD,CPA`);
  await expect(page.getByTestId('link-url')).toHaveText(fewer.links.map((l) => l.url));

  await page.getByTestId('brand-input').fill('Not a slug!');
  await expect(page.getByRole('alert')).toContainText('Letters, digits');
  await expect(page).toHaveURL(new RegExp(`brand=${brand}`));
});

test('a one-URL platform (Affise) gets one URL and tests the chosen event type', async ({ page, api }) => {
  const brand = uniqueBrand();
  await page.goto(`/links?source=affise&brand=${brand}&types=REG,CPA`);
  const expected = await apiJson<Links>(api, `/api/admin/links?source=affise&brand=${brand}&types=REG,CPA`);
  await expect(page.getByTestId('link-url')).toHaveText(expected.links.map((l) => l.url));
  expect(expected.links[0]?.url).toContain('goal={goal}');
  const card = page.locator('[data-testid="link-card"][data-link="all"]');
  await card.getByLabel('Event type to test').selectOption('CPA');
  await card.getByRole('button', { name: 'Fire a test postback' }).click();
  const landed = card.getByTestId('landed-event');
  await expect(landed.locator('.badge[data-type="CPA"]')).toBeVisible();
  const id = Number(await landed.getAttribute('data-event-id'));
  const event = await apiJson<EventDetail>(api, `/api/v1/events/${id}`);
  expect(event).toMatchObject({ type: 'CPA', brand, source: 'affise', is_test: true });
  expect(event.transaction_id).toMatch(/^linkgen-tx-/);
});
