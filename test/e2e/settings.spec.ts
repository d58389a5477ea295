/**
 * Settings editing: a threshold saved (the API returns it, a reload shows it, reset puts the
 * default back), bad values shown on their field with nothing stored, FX rate rows added and
 * removed. Specs run in parallel against one server, so each test changes only values no other
 * page asserts on (REG → CPA by a hair that can flip no colour, FX rates), for a short window,
 * and restores them in `finally`.
 */
import type { APIRequestContext, Page } from '@playwright/test';
import { apiJson, expect, expectAccessible, settled, test } from './helpers/fixtures';

interface Entry<V> {
  value: V;
  default: V;
  overridden: boolean;
}
interface Fx {
  base: string;
  rates: Record<string, string>;
}
interface Settings {
  settings: {
    clickToReg: Entry<number>;
    regToFtd: Entry<number>;
    regToCpa: Entry<number>;
    fx: Entry<Fx | null>;
  };
  sourceLag: { slug: string; name: string; warningMinutes: number; errorMinutes: number }[];
}

const readSettings = (api: APIRequestContext) => apiJson<Settings>(api, '/api/admin/settings');

/** Puts a setting back as it was: its value if it was overridden, else its default (null). */
async function restore(api: APIRequestContext, patch: Record<string, unknown>): Promise<void> {
  const me = await apiJson<{ csrfToken: string }>(api, '/api/auth/me');
  const res = await api.put('/api/admin/settings', {
    data: patch,
    headers: { 'x-csrf-token': me.csrfToken },
  });
  expect(res.ok(), `restoring ${JSON.stringify(patch)}: ${res.status()}`).toBeTruthy();
}
const original = <V>(e: Entry<V>) => (e.overridden ? e.value : null);

async function openSettings(page: Page) {
  await page.goto('/settings');
  await settled(page);
}

test('a threshold change is saved: the API returns it, a reload shows it, reset restores the default', async ({
  page,
  api,
}) => {
  const before = (await readSettings(api)).settings.regToCpa;
  try {
    await openSettings(page);
    const card = page.getByTestId('thresholds');
    const input = card.getByLabel('REG → CPA (%)');
    await expect(input).toHaveValue(String(Number((before.value * 100).toFixed(4))));
    await expect(card).toContainText('Default 10.0%');
    await expectAccessible(page, 'settings');

    // 9.9999 % = 0.099999: no rate n/REG with fewer than 100,000 REG lies between it and 10 %.
    await input.fill('9.9999');
    await expect(card.getByText('Unsaved changes')).toBeVisible();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toContainText('Saved (1 change)');
    await expect(card.getByText('Unsaved changes')).toHaveCount(0);
    expect((await readSettings(api)).settings.regToCpa).toEqual({
      value: 0.099999,
      default: 0.1,
      overridden: true,
    });

    await page.reload();
    await settled(page);
    await expect(input).toHaveValue('9.9999');
    await card.getByRole('button', { name: 'Reset to default' }).click();
    await expect(input).toHaveValue('10');
    await expect(card).toContainText('will be restored on Save');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toContainText('Saved (1 change)');
    expect((await readSettings(api)).settings.regToCpa).toEqual({
      value: 0.1,
      default: 0.1,
      overridden: false,
    });
  } finally {
    await restore(api, { regToCpa: original(before) });
  }
});

test('a bad value shows its field error and stores nothing', async ({ page, api }) => {
  const before = await readSettings(api);
  try {
    await openSettings(page);
    const card = page.getByTestId('thresholds');

    // Checked in the page: out of range.
    const click = card.getByLabel('Click → REG (%)');
    await click.fill('150');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(click).toHaveAttribute('aria-invalid', 'true');
    await expect(card).toContainText('Enter a percentage from 0 to 100');

    // Checked by the server: REG → FTD must stay below the suspicious-deal ratio.
    await click.fill(String(Number((before.settings.clickToReg.value * 100).toFixed(4))));
    const ftd = card.getByLabel('REG → FTD (%)');
    await ftd.fill('99');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(ftd).toHaveAttribute('aria-invalid', 'true');
    await expect(card).toContainText('must be above the REG → FTD threshold');
    await expect(card.getByText('Unsaved changes')).toBeVisible();

    // A lag row with the error threshold below the warning.
    const lag = page.getByTestId('lag-settings');
    const source = before.sourceLag[0];
    if (!source) throw new Error('the demo has sources');
    const row = lag.locator(`tr[data-id="${source.slug}"]`);
    await row.getByLabel(`${source.name}: error after (minutes)`).fill('1');
    await row.getByLabel(`${source.name}: warning after (minutes)`).fill('5');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row).toContainText('Must be more than the warning threshold');
    await expectAccessible(page, 'settings with field errors');

    const after = await readSettings(api);
    expect(after.settings.clickToReg).toEqual(before.settings.clickToReg);
    expect(after.settings.regToFtd).toEqual(before.settings.regToFtd);
    expect(after.sourceLag.find((s) => s.slug === source.slug)).toEqual(source);
  } finally {
    // Only if a regression stored something: put it back.
    const now = await readSettings(api);
    if (JSON.stringify(now.settings.regToFtd) !== JSON.stringify(before.settings.regToFtd))
      await restore(api, { regToFtd: original(before.settings.regToFtd) });
  }
});

test('FX rate rows are added and removed, saved as exact decimals', async ({ page, api }) => {
  const before = (await readSettings(api)).settings.fx;
  try {
    await openSettings(page);
    const card = page.getByTestId('fx-settings');
    await card.getByLabel('Base currency').fill('EUR');
    await card.getByRole('button', { name: '+ Add currency' }).click();
    await card.getByLabel('Currency of row 1').fill('USD');
    await card.getByLabel('Rate of USD in EUR').fill('0.920000');
    await card.getByRole('button', { name: '+ Add currency' }).click();
    await card.getByLabel('Currency of row 2').fill('GBP');
    await card.getByLabel('Rate of GBP in EUR').fill('1.17');
    await expect(card.locator('li.st-rate-row')).toHaveCount(2);
    await card.getByRole('button', { name: 'Remove GBP row' }).click();
    await expect(card.locator('li.st-rate-row')).toHaveCount(1);
    await expect(card.getByText('Unsaved changes')).toBeVisible();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toContainText('Saved');
    expect((await readSettings(api)).settings.fx.value).toEqual({
      base: 'EUR',
      rates: { EUR: '1', USD: '0.92' },
    });

    await page.reload();
    await settled(page);
    await expect(card.getByLabel('Rate of USD in EUR')).toHaveValue('0.92');
    await card.getByRole('button', { name: 'Remove USD row' }).click();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toContainText('Saved');
    expect((await readSettings(api)).settings.fx.value).toEqual({ base: 'EUR', rates: { EUR: '1' } });

    await card.getByRole('button', { name: 'Reset to default (off)' }).click();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('status')).toContainText('Saved');
    expect((await readSettings(api)).settings.fx).toEqual({ value: null, default: null, overridden: false });
  } finally {
    await restore(api, { fx: original(before) });
  }
});
