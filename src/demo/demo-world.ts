/**
 * The fixed cast of the demo dataset: 59 brands, six networks, a few hundred affiliates with their
 * sub-IDs and tags, and the deals between them (funnel rates, payouts), plus the few deliberately
 * bad actors the audit pages should find: suspicious conversion, orphan FTDs, broken macros.
 */
import type { Random } from './random.js';

// biome-ignore format: a compact table of names
export const DEMO_BRANDS = [
  'britsino', 'spinfinity', 'luckyorbit', 'casinova', 'goldrush', 'jackpotcity', 'royalreels', 'neonvegas',
  'wildfortune', 'starspins', 'mrplay', 'vulkanbet', 'betpanda', 'slotimo', 'rocketplay', 'kingbilly',
  'playamo', 'joka', 'spinbara', 'nomini', 'lucky7even', 'wazamba', 'rabona', 'bitstarz', 'casombie',
  'fezbet', 'dachbet', 'ivibet', 'betsson', 'megaslot', 'zotabet', 'slotsgem', 'spinanga', 'vavada',
  'hellspin', 'winspirit', 'skycrown', 'neospin', 'golden-crown', 'ritzo', 'bizzo', 'woocasino',
  'fairspin', 'mirax', 'katsubet', '7bitcasino', 'bluechip', 'sgcasino', 'nationalcasino', 'playfina',
  'justcasino', 'gamblezen', 'spinsy', 'betory', 'tsars', 'rollino', 'frumzi', 'dragonia', 'casinozer',
] as const;

export const DEMO_EXTRA_SOURCES = [
  { slug: 'myaffiliates', name: 'MYAFFILIATES', template: 'generic' },
  { slug: 'everflow', name: 'EVERFLOW', template: 'generic' },
] as const;

/** Networks that also report clicks (the others send conversions only). */
export const CLICK_SENDING_SOURCES = new Set(['affise', 'everflow']);

// biome-ignore format: a compact table of weights
export const GEO_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['ES', 14], ['DE', 12], ['CA', 10], ['GB', 8], ['FR', 8], ['IT', 7], ['BR', 7], ['PL', 5], ['NL', 4],
  ['AU', 4], ['NZ', 3], ['NO', 3], ['FI', 3], ['SE', 2], ['AT', 2], ['CH', 2], ['PT', 2], ['IE', 2],
  ['MX', 2], ['JP', 1], ['CL', 1],
];

/** Share of a day's traffic per UTC hour: quiet before dawn, busiest in the evening. */
// biome-ignore format: one weight per hour
export const HOUR_WEIGHTS: readonly number[] = [
  3, 2, 1.5, 1, 1, 1, 1.5, 2.5, 3.5, 4, 4.5, 5, 5.5, 5.5, 5.5, 6, 6.5, 7.5, 8.5, 9.5, 10, 9, 7, 5,
];

// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal macro text is the point
export const BROKEN_TAG_TEMPLATES = ['${clickId}', '{sub1}', '[[tid]]', '{{click_id}}'] as const;

export interface DemoSource {
  id: number;
  slug: string;
}

export interface DemoDeal {
  brand: string;
  source: DemoSource;
  currency: 'EUR' | 'USD' | 'GBP';
  ftdRate: number;
  cpaRate: number;
  payoutMicros: number;
  /** Share of FTD players whose registration never reaches us (orphan FTDs). */
  orphanRate: number;
}

export interface DemoAffiliate {
  id: string;
  weight: number;
  subIds: string[];
  tags: string[];
  geo: string;
  /** A broken postback template: this share of its events carry the macro instead of a tag. */
  brokenMacro: string | null;
  brokenRate: number;
}

export interface DemoWorld {
  deals: DemoDeal[];
  dealWeights: Array<readonly [DemoDeal, number]>;
  affiliates: DemoAffiliate[];
  affiliateWeights: Array<readonly [DemoAffiliate, number]>;
}

const CHANNELS = ['WA', 'TG', 'FB', 'SEO', 'PPC', 'EM', 'YT', 'TT'];
const NAMES = ['DIM', 'ALEX', 'MAX', 'KIRA', 'LEO', 'NINA', 'OLEG', 'SAM', 'ZOE', 'IVAN', 'ELI', 'RAY'];

export function buildDemoWorld(rng: Random, sources: DemoSource[], affiliateCount = 300): DemoWorld {
  const deals: DemoDeal[] = [];
  for (const brand of DEMO_BRANDS) {
    const count = rng.int(1, 3);
    const chosen = new Set<DemoSource>();
    while (chosen.size < Math.min(count, sources.length)) chosen.add(rng.pick(sources));
    for (const source of chosen) {
      deals.push({
        brand,
        source,
        currency: rng.weighted([
          ['EUR', 6],
          ['USD', 3],
          ['GBP', 1],
        ] as const),
        ftdRate: 0.1 + rng.next() * 0.12,
        cpaRate: 0.3 + rng.next() * 0.25,
        payoutMicros: rng.int(5, 40) * 10 * 1_000_000,
        orphanRate: 0,
      });
    }
  }
  // A few deals that the audit must catch.
  for (let i = 0; i < 4; i++) {
    const deal = rng.pick(deals);
    deal.ftdRate = 0.42 + rng.next() * 0.1;
  }
  for (let i = 0; i < 3; i++) rng.pick(deals).orphanRate = 0.3;

  const affiliates: DemoAffiliate[] = [];
  for (let i = 0; i < affiliateCount; i++) {
    const id = String(10_000 + ((i * 7919) % 90_000));
    const geo = rng.weighted(GEO_WEIGHTS);
    const subIds = Array.from({ length: rng.int(1, 4) }, () => `s${rng.int(100, 999)}`);
    const tags = Array.from(
      { length: rng.int(1, 3) },
      () => `${rng.pick(CHANNELS)}_${geo}_${rng.pick(NAMES)}_${rng.int(1, 40)}`,
    );
    affiliates.push({
      id,
      // Heavy tail: a handful of affiliates bring most traffic.
      weight: 1 / (i + 3) ** 0.9,
      subIds,
      tags,
      geo,
      brokenMacro: null,
      brokenRate: 0,
    });
  }
  BROKEN_TAG_TEMPLATES.forEach((macro, i) => {
    const affiliate = affiliates[5 + i * 11];
    if (affiliate) {
      affiliate.brokenMacro = macro;
      affiliate.brokenRate = 0.6;
    }
  });

  return {
    deals,
    dealWeights: deals.map((d) => [d, 0.5 + rng.next()] as const),
    affiliates,
    affiliateWeights: affiliates.map((a) => [a, a.weight] as const),
  };
}
