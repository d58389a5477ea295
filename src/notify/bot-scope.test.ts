import { describe, expect, it } from 'vitest';
import {
  type BotScope,
  botScopeSchema,
  matchesScope,
  parseStoredScope,
  resolveScope,
  type ScopeEvent,
} from './bot-scope.js';

const BRANDS: Record<string, number> = { britsino: 1, spinbet: 2, 'brit-sino': 1 };
const SOURCES: Record<string, number> = { cellxpert: 10, affise: 11 };

function scope(partial: Partial<BotScope>): BotScope {
  return botScopeSchema.parse({ types: [], ...partial });
}

const event = (over: Partial<ScopeEvent> = {}): ScopeEvent => ({
  brand_id: 1,
  source_id: 10,
  affiliate_id: '77',
  type: 'FTD',
  is_test: 0,
  ...over,
});

const matches = (s: BotScope, e: ScopeEvent) =>
  matchesScope(
    resolveScope(
      s,
      (slug) => BRANDS[slug],
      (slug) => SOURCES[slug],
    ),
    e,
  );

describe('bot scope matching', () => {
  it.each<[string, Partial<BotScope>, Partial<ScopeEvent>, boolean]>([
    ['an empty scope matches any live event', {}, {}, true],
    ['an empty scope leaves test events out', {}, { is_test: 1 }, false],
    ['"include" takes test events too', { testEvents: 'include' }, { is_test: 1 }, true],
    ['"include" still takes live events', { testEvents: 'include' }, {}, true],
    ['"only" takes test events', { testEvents: 'only' }, { is_test: 1 }, true],
    ['"only" leaves live events out', { testEvents: 'only' }, {}, false],
    ['a listed brand', { brands: ['britsino'] }, {}, true],
    ['a brand not listed', { brands: ['spinbet'] }, {}, false],
    ['brand slugs are case-insensitive', { brands: ['BritSino'] }, {}, true],
    ['a merged alias matches the brand it counts under', { brands: ['brit-sino'] }, {}, true],
    ['only unknown brands match nothing', { brands: ['nosuchbrand'] }, {}, false],
    ['a listed source', { sources: ['cellxpert'] }, {}, true],
    ['a source not listed', { sources: ['affise'] }, {}, false],
    ['a listed affiliate', { affiliates: ['77'] }, {}, true],
    ['an affiliate not listed', { affiliates: ['78'] }, {}, false],
    ['affiliate ids match in any case', { affiliates: ['AFF-x9'] }, { affiliate_id: 'aff-X9' }, true],
    [
      'an affiliate filter leaves events without affiliate out',
      { affiliates: ['77'] },
      { affiliate_id: null },
      false,
    ],
    ['a listed type', { types: ['FTD', 'REG'] }, {}, true],
    ['a type not listed', { types: ['REG'] }, {}, false],
    ['no types listed: every type, CLICK included', { types: [] }, { type: 'CLICK' }, true],
    [
      'every filter at once, all matching',
      { brands: ['britsino', 'spinbet'], sources: ['cellxpert'], affiliates: ['77'], types: ['FTD'] },
      {},
      true,
    ],
    [
      'every filter at once, one failing',
      { brands: ['britsino'], sources: ['cellxpert'], affiliates: ['77'], types: ['FTD'] },
      { source_id: 11 },
      false,
    ],
  ])('%s', (_name, s, e, expected) => {
    expect(matches(scope(s), event(e))).toBe(expected);
  });

  it('defaults a new bot to REG, FTD and CPA of live events', () => {
    expect(botScopeSchema.parse({})).toEqual({
      brands: [],
      sources: [],
      affiliates: [],
      types: ['REG', 'FTD', 'CPA'],
      testEvents: 'exclude',
    });
  });

  it('reads a damaged stored scope as matching nothing', () => {
    const damaged = parseStoredScope('{not json');
    expect(matches(damaged, event())).toBe(false);
    expect(matches(damaged, event({ is_test: 1 }))).toBe(false);
  });
});
