/**
 * `affpanel demo`: fills the database with a realistic, reproducible dataset (same seed, same data)
 * so the panel can be shown and tried without live traffic. Prints progress every few seconds and
 * a summary at the end.
 */
import { generateDemo } from '../demo/generate-demo.js';
import { EXIT_OK, UsageError } from './errors.js';
import { count, type Output } from './output.js';
import { type ConfigLoader, defaultConfig, withContext } from './with-context.js';

export const MAX_DEMO_EVENTS = 100_000_000;
export const MAX_DEMO_DAYS = 3650;
const MAX_SEED = 2 ** 32 - 1;
const PROGRESS_EVERY_MS = 3000;

export interface DemoCommandOptions {
  events?: string;
  seed?: string;
  days?: string;
}

/** A whole number from an option's text, within [min, max]; digits only (no 1e6, no 10.0). */
export function parseWholeNumber(name: string, text: string, min: number, max: number): number {
  const cleaned = text.trim().replaceAll('_', '');
  const value = /^\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${count(min)} to ${count(max)}, not "${text}"`,
    );
  }
  return value;
}

export function parseDemoOptions(options: DemoCommandOptions): {
  events: number;
  seed: number;
  days: number;
} {
  return {
    events: parseWholeNumber('events', options.events ?? '20000', 1, MAX_DEMO_EVENTS),
    seed: parseWholeNumber('seed', options.seed ?? '1', 0, MAX_SEED),
    days: parseWholeNumber('days', options.days ?? '90', 1, MAX_DEMO_DAYS),
  };
}

export async function demoCommand(
  options: DemoCommandOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  const parsed = parseDemoOptions(options);
  return withContext(
    getConfig,
    async (ctx) => {
      output.err(
        `Generating ${count(parsed.events)} demo events over ${parsed.days} days (seed ${parsed.seed})...`,
      );
      const started = performance.now();
      let lastPrint = started;
      const summary = await generateDemo(ctx, parsed, (done, total) => {
        const now = performance.now();
        if (now - lastPrint < PROGRESS_EVERY_MS || done >= total) return;
        lastPrint = now;
        const rate = done / ((now - started) / 1000);
        output.err(`  ${count(done)} / ${count(total)} events (${count(rate)} events/s)`);
      });
      const rate = summary.seconds > 0 ? ` (${count(summary.events / summary.seconds)} events/s)` : '';
      output.out(
        `Demo data written: ${count(summary.events)} events, ${summary.brands} brands, ` +
          `${summary.sources} sources, ${summary.affiliates} affiliates in ${summary.seconds.toFixed(1)} s${rate}.`,
      );
      return EXIT_OK;
    },
    // The generator folds the derived rollups itself, in large chunks.
    { foldInBackground: false },
  );
}
