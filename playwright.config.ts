/**
 * End-to-end tests of the panel in Debian's headless Chromium (never a downloaded browser).
 * Global setup builds the app, fills a temporary SQLite database with the demo generator, starts
 * the built server on a free port and logs in an admin (one-time link), a viewer and a pending
 * person (Telegram Login Widget data signed with the test bot's token). See test/e2e/helpers.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/helpers/global-setup.ts',
  globalTeardown: './test/e2e/helpers/global-teardown.ts',
  outputDir: join(tmpdir(), 'affpanel-e2e-results'),
  fullyParallel: true,
  workers: 2,
  // Generous: an axe scan of a 300-row table takes seconds on a busy 2-core machine.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'Europe/Madrid',
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});
