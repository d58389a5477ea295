/**
 * The tests' `test`: a page and an API client logged in as `who` (admin by default; set with
 * `test.use({ who: 'viewer' })`), the server's address from global setup, no request ever leaving
 * for the internet (the Telegram widget script is refused), and no uncaught page error allowed.
 */
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, test as base, expect, type Page } from '@playwright/test';
import { e2eState } from './state';

export type Who = 'admin' | 'viewer' | 'pending' | 'anonymous';

export const test = base.extend<{ who: Who; api: APIRequestContext; pageErrors: string[] }>({
  who: ['admin', { option: true }],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => {
    await use(e2eState().baseURL);
  },
  storageState: async ({ who }, use) => {
    await use(who === 'anonymous' ? { cookies: [], origins: [] } : e2eState().sessions[who]);
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  pageErrors: async ({}, use) => {
    await use([]);
  },
  page: async ({ page, pageErrors }, use) => {
    await page.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await use(page);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  },
  api: async ({ playwright, who }, use) => {
    const state = e2eState();
    const ctx = await playwright.request.newContext({
      baseURL: state.baseURL,
      storageState: who === 'anonymous' ? undefined : state.sessions[who],
    });
    await use(ctx);
    await ctx.dispose();
  },
});

export { expect };

/** GET a read-API route as the test's person and return its JSON. */
export async function apiJson<T>(api: APIRequestContext, path: string): Promise<T> {
  const res = await api.get(path);
  expect(res.ok(), `${path} → ${res.status()}`).toBeTruthy();
  return (await res.json()) as T;
}

/** "1,234" → 1234 */
export function parseCount(text: string | null): number {
  return Number((text ?? '').replace(/[^\d-]/g, ''));
}

export const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** No axe violation of serious or critical impact on what the page shows now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    );
  expect(bad, `axe on ${label}`).toEqual([]);
}

/** Waits until no skeleton is left on the page (all shown data has arrived). */
export async function settled(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}
