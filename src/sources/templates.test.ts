import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, type CanonicalField, EVENT_TYPES, type EventType } from '../domain.js';
import type { PlatformTemplate } from './template-types.js';
import { BUILT_IN_TEMPLATES, getTemplate } from './templates.js';

/** Names every template must accept, because admins copy generic URLs between networks. */
const GENERIC_NAMES: Partial<Record<CanonicalField, readonly string[]>> = {
  event: ['event', 'type'],
  brand: ['brand'],
  affiliate_id: ['affiliate_id'],
  sub_id: ['sub_id'],
  tracking_tag: ['tracking_tag', 'tag'],
  transaction_id: ['transaction_id', 'txid', 'tid'],
  external_uid: ['external_uid', 'player_id', 'user_id'],
  amount: ['amount', 'payout'],
  currency: ['currency'],
  country: ['country', 'geo'],
  occurred_at: ['timestamp', 'event_time'],
  is_test: ['test', 'is_test'],
  status: ['status'],
};

/** Fields a generated postback URL cannot do without. */
const CORE_MACRO_FIELDS: readonly CanonicalField[] = ['affiliate_id', 'sub_id', 'amount', 'currency'];

const MACRO_SHAPE: Record<PlatformTemplate['macroSyntax'], RegExp> = {
  brace: /^\{([a-z_][a-z0-9_]*)\}$/,
  'double-brace': /^\{\{([a-z_][a-z0-9_]*)\}\}$/,
  square: /^\[([a-z_][a-z0-9_]*)\]$/,
  none: /^$/,
};

const COMMON_DECLINED = ['rejected', 'declined', 'cancelled', 'canceled', 'trash', 'reject'];

/** Spellings that differ only by case, spaces, underscores or hyphens are the same word. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[\s_-]+/g, '');
}

function paramField(template: PlatformTemplate, name: string): CanonicalField | undefined {
  return CANONICAL_FIELDS.find((field) => template.params[field]?.includes(name));
}

const byId = (id: string): PlatformTemplate => {
  const template = getTemplate(id);
  if (template === undefined) throw new Error(`no template ${id}`);
  return template;
};

describe('BUILT_IN_TEMPLATES', () => {
  it('ships the five templates with unique ids and upper-case names', () => {
    const ids = BUILT_IN_TEMPLATES.map((t) => t.id);
    expect(ids).toEqual(['referon', 'cellxpert', 'affise', 'cparound', 'generic']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const template of BUILT_IN_TEMPLATES) expect(template.name).toBe(template.id.toUpperCase());
  });

  it('is frozen, so no caller can change a template for everyone', () => {
    expect(Object.isFrozen(BUILT_IN_TEMPLATES)).toBe(true);
    for (const template of BUILT_IN_TEMPLATES) {
      expect(Object.isFrozen(template)).toBe(true);
      expect(Object.isFrozen(template.params)).toBe(true);
      expect(Object.isFrozen(template.events)).toBe(true);
      expect(Object.isFrozen(template.macros)).toBe(true);
      expect(Object.isFrozen(template.declinedStatuses)).toBe(true);
      for (const names of Object.values(template.params)) expect(Object.isFrozen(names)).toBe(true);
    }
  });

  it('maps a word to the same type in every template that knows it', () => {
    const seen = new Map<string, { type: EventType; id: string }>();
    for (const template of BUILT_IN_TEMPLATES) {
      for (const [word, type] of Object.entries(template.events)) {
        const before = seen.get(word);
        if (before !== undefined) expect(`${word} -> ${type}`).toBe(`${word} -> ${before.type}`);
        else seen.set(word, { type, id: template.id });
      }
    }
  });

  it.each([
    ['lead', 'REG'],
    ['sign up', 'REG'],
    ['purchase', 'FTD'],
    ['first deposit', 'FTD'],
    ['first_dep', 'FTD'],
    ['dep', 'DEP'],
    ['deposit', 'DEP'],
    ['rebill', 'REDEP'],
    ['re-deposit', 'REDEP'],
    ['repeat_deposit', 'REDEP'],
    ['sale', 'CPA'],
    ['commission', 'CPA'],
    ['qualified cpa', 'CPA'],
    ['qualification', 'CPA'],
    ['visit', 'CLICK'],
  ] as const)('settles "%s" as %s everywhere', (word, type) => {
    for (const template of BUILT_IN_TEMPLATES) expect(template.events[word]).toBe(type);
  });

  it('leaves words that mean different things per network unmapped', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      for (const word of ['conversion', '1', '2', 'approved', 'pending']) {
        expect(Object.hasOwn(template.events, word)).toBe(false);
      }
    }
  });
});

describe('getTemplate', () => {
  it('finds each template by id, ignoring case and spaces', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      expect(getTemplate(template.id)).toBe(template);
      expect(getTemplate(` ${template.name} `)).toBe(template);
    }
  });

  it('returns undefined for an unknown id', () => {
    expect(getTemplate('myaffiliates')).toBeUndefined();
    expect(getTemplate('')).toBeUndefined();
    expect(getTemplate('constructor')).toBeUndefined();
  });
});

describe.each(BUILT_IN_TEMPLATES.map((t) => [t.id, t] as const))('template %s', (_id, template) => {
  describe('events', () => {
    it.each(EVENT_TYPES.map((type) => [type] as const))('maps %s from its own lower-case name', (type) => {
      expect(template.events[type.toLowerCase()]).toBe(type);
    });

    it('maps every type from at least one word', () => {
      const covered = new Set(Object.values(template.events));
      expect([...covered].sort()).toEqual([...EVENT_TYPES].sort());
    });

    it('keys are lower case, trimmed and non-empty', () => {
      for (const word of Object.keys(template.events)) {
        expect(word).toBe(word.trim().toLowerCase());
        expect(word.length).toBeGreaterThan(0);
      }
    });

    it('never maps two spellings of one word to different types', () => {
      const typeOf = new Map<string, EventType>();
      for (const [word, type] of Object.entries(template.events)) {
        const key = normalise(word);
        const before = typeOf.get(key);
        if (before !== undefined) expect(`${word} -> ${type}`).toBe(`${word} -> ${before}`);
        typeOf.set(key, type);
      }
    });

    it('has no inherited keys a network could hit', () => {
      for (const word of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        expect(Object.hasOwn(template.events, word)).toBe(false);
        expect(template.events[word]).toBeUndefined();
      }
    });
  });

  describe('declined statuses', () => {
    it('are lower case and include the common refusal words', () => {
      for (const status of template.declinedStatuses) expect(status).toBe(status.trim().toLowerCase());
      for (const status of COMMON_DECLINED) expect(template.declinedStatuses).toContain(status);
    });

    it('never decline a pending, approved or held conversion', () => {
      for (const status of ['1', '2', '5', 'approved', 'pending', 'hold', 'lead', 'sale', '']) {
        expect(template.declinedStatuses).not.toContain(status);
      }
    });

    it('do not overlap the event words', () => {
      for (const status of template.declinedStatuses)
        expect(Object.hasOwn(template.events, status)).toBe(false);
    });
  });

  describe('params', () => {
    it('lists names for every canonical field, the canonical name first', () => {
      for (const field of CANONICAL_FIELDS) {
        const names = template.params[field] ?? [];
        expect(names[0]).toBe(field);
      }
    });

    it('accepts the generic names', () => {
      for (const [field, names] of Object.entries(GENERIC_NAMES)) {
        for (const name of names) expect(paramField(template, name)).toBe(field);
      }
    });

    it('names are lower case and feed one canonical field only', () => {
      const owner = new Map<string, CanonicalField>();
      for (const field of CANONICAL_FIELDS) {
        for (const name of template.params[field] ?? []) {
          expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
          const before = owner.get(name);
          if (before !== undefined) expect(`${name} -> ${field}`).toBe(`${name} -> ${before}`);
          owner.set(name, field);
        }
      }
    });

    it('never treats the auth key as a field', () => {
      expect(paramField(template, 'key')).toBeUndefined();
    });
  });

  describe('macros', () => {
    it('has a macro for the core fields', () => {
      for (const field of CORE_MACRO_FIELDS) expect(template.macros[field], field).toBeDefined();
      const dedupMacro = template.macros.transaction_id ?? template.macros.external_uid;
      expect(dedupMacro, 'transaction_id or external_uid').toBeDefined();
    });

    it('has an event macro only when one URL carries every event type', () => {
      if (template.urlPerEvent) expect(template.macros.event).toBeUndefined();
      else expect(template.macros.event).toBeDefined();
    });

    it('leaves the brand static', () => {
      expect(template.macros.brand).toBeUndefined();
    });

    it("writes every macro in the platform's syntax, named like a parameter of the same field", () => {
      for (const [field, macro] of Object.entries(template.macros)) {
        const match = MACRO_SHAPE[template.macroSyntax].exec(macro);
        expect(match, `${field}: ${macro}`).not.toBeNull();
        const inner = match?.[1] ?? '';
        expect(paramField(template, inner), `${field}: ${macro}`).toBe(field);
      }
    });
  });

  it('warns before it errors on a silent source', () => {
    const { warningMinutes, errorMinutes } = template.lag;
    expect(Number.isInteger(warningMinutes)).toBe(true);
    expect(Number.isInteger(errorMinutes)).toBe(true);
    expect(warningMinutes).toBeGreaterThan(0);
    expect(warningMinutes).toBeLessThan(errorMinutes);
  });

  it('explains its assumptions', () => {
    expect(template.notes.length).toBeGreaterThan(40);
    if (template.id !== 'generic') expect(template.notes).toMatch(/Grade [DPI]/);
  });
});

describe('platform specifics', () => {
  it.each([
    ['cellxpert', 'afp', 'sub_id'],
    ['cellxpert', 'affiliateid', 'affiliate_id'],
    ['cellxpert', 'trackingcode', 'tracking_tag'],
    ['cellxpert', 'userid', 'external_uid'],
    ['cellxpert', 'depositid', 'transaction_id'],
    ['cellxpert', 'transaction_sum', 'amount'],
    ['cellxpert', 'commissionamount', 'amount'],
    ['cellxpert', 'isocountry', 'country'],
    ['affise', 'goal', 'event'],
    ['affise', 'status', 'status'],
    ['affise', 'pid', 'affiliate_id'],
    ['affise', 'sub1', 'sub_id'],
    ['affise', 'sub2', 'tracking_tag'],
    ['affise', 'user_id', 'external_uid'],
    ['affise', 'transactionid', 'transaction_id'],
    ['affise', 'sum', 'amount'],
    ['affise', 'currency', 'currency'],
    ['affise', 'geo', 'country'],
    ['affise', 'timestamp', 'occurred_at'],
    ['referon', 'clickid', 'sub_id'],
    ['referon', 'customer_id', 'external_uid'],
    ['referon', 'mid', 'tracking_tag'],
    ['referon', 'event_type', 'event'],
    ['cparound', 'clickid', 'sub_id'],
    ['cparound', 'tid', 'transaction_id'],
  ] as const)('%s reads %s as %s', (id, name, field) => {
    expect(paramField(byId(id), name)).toBe(field);
  });

  it('affise: the payout is the amount, never the sale price', () => {
    const affise = byId('affise');
    expect(paramField(affise, 'order_sum')).toBeUndefined();
    expect(paramField(affise, 'order_currency')).toBeUndefined();
  });

  it('affise: status 3 is declined, 1 / 2 / 5 are not', () => {
    const affise = byId('affise');
    expect(affise.declinedStatuses).toContain('3');
    for (const status of ['1', '2', '5']) expect(affise.declinedStatuses).not.toContain(status);
  });

  it('only affise declines a numeric status', () => {
    for (const template of BUILT_IN_TEMPLATES) {
      if (template.id === 'affise') continue;
      for (const status of template.declinedStatuses) expect(status).not.toMatch(/^\d+$/);
    }
  });

  it('referon: the brand GUID is not read as the brand', () => {
    expect(paramField(byId('referon'), 'brandguid')).toBeUndefined();
  });

  it('url-per-event platforms are the ones that configure a URL per type', () => {
    const perEvent = BUILT_IN_TEMPLATES.filter((t) => t.urlPerEvent).map((t) => t.id);
    expect(perEvent).toEqual(['referon', 'cellxpert', 'cparound', 'generic']);
  });

  it('late platforms get looser lag thresholds than real-time ones', () => {
    expect(byId('affise').lag.warningMinutes).toBeLessThan(byId('referon').lag.warningMinutes);
    expect(byId('referon').lag.errorMinutes).toBeGreaterThanOrEqual(24 * 60);
    expect(byId('generic').lag.warningMinutes).toBeGreaterThan(24 * 60);
  });
});

describe('docs/platform-templates.md', () => {
  const doc = readFileSync(new URL('../../docs/platform-templates.md', import.meta.url), 'utf8');
  const sections = new Map<string, string>();
  for (const part of doc.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf('\n')).trim();
    sections.set(title.split(/\s/)[0] ?? title, part);
  }

  it.each(BUILT_IN_TEMPLATES.map((t) => [t.name, t] as const))(
    'the %s section lists every parameter name, macro and lag threshold',
    (name, template) => {
      const section = sections.get(name) ?? '';
      expect(section, `section ## ${name}`).not.toBe('');
      for (const names of Object.values(template.params)) {
        for (const param of names) expect(section, param).toContain(`\`${param}\``);
      }
      for (const macro of Object.values(template.macros)) expect(section, macro).toContain(`\`${macro}\``);
      expect(section).toContain(`${template.lag.warningMinutes} min`);
      expect(section).toContain(`${template.lag.errorMinutes} min`);
      expect(section).toContain(`/postback/${template.id}?key=`);
    },
  );
});
