/**
 * `affpanel demo`: a realistic dataset written through the same storage path as postbacks.
 * (Being written; the signature is fixed.)
 */
import type { AppContext } from '../context.js';

export interface DemoOptions {
  events: number;
  seed: number;
  /** How many days back from `now` the events spread over. */
  days: number;
  now?: Date;
}

export interface DemoSummary {
  events: number;
  brands: number;
  sources: number;
  affiliates: number;
  seconds: number;
}

export async function generateDemo(
  _ctx: AppContext,
  _options: DemoOptions,
  _onProgress: (done: number, total: number) => void = () => {},
): Promise<DemoSummary> {
  throw new Error('not implemented yet');
}
