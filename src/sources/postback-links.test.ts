import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../db/schema.js';
import { EVENT_TYPES, type EventType } from '../domain.js';
import { detectMacro } from '../ingest/detect-macros.js';
import { mapParams } from '../ingest/map-params.js';
import { parseParams } from '../ingest/parse-params.js';
import type { RawPostback } from '../ingest/raw-postback.js';
import { validateEvent } from '../ingest/validate-event.js';
import { type CompiledSource, compileSource } from './compiled-source.js';
import {
  buildPostbackLinks,
  eventWordFor,
  LinkError,
  linkPath,
  linkUrl,
  macroName,
  type PostbackLink,
  platformProfile,
  sampleValues,
  sentValues,
  testPostbackPath,
} from './postback-links.js';
import type { PlatformTemplate } from './template-types.js';
import { BUILT_IN_TEMPLATES, getTemplate } from './templates.js';

const NOW = new Date('2026-11-26T10:00:00Z');

function sourceRow(template: string, overrides: Partial<SourceRow> = {}): SourceRow {
  return {
    id: 7,
    slug: template,
    name: template.toUpperCase(),
    template,
    auth_mode: 'key',
    secret_key: 'YOUR_KEY',
    previous_key: null,
    previous_key_expires_at: null,
    older_key: null,
    older_key_expires_at: null,
    ip_allowlist: '[]',
    param_map: '{}',
    event_map: '{}',
    declined_statuses: '[]',
    default_currency: null,
    lag_warning_minutes: 60,
    lag_error_minutes: 120,
    is_active: 1,
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}

const templateOf = (id: string): PlatformTemplate => {
  const template = getTemplate(id);
  if (!template) throw new Error(`no template ${id}`);
  return template;
};

/** What the postback route would make of a path: parse, map and validate, as the pipeline does. */
function ingestPath(path: string, source: CompiledSource) {
  const rawQuery = path.slice(path.indexOf('?') + 1);
  const raw: RawPostback = {
    sourceSlug: source.slug,
    method: 'GET',
    rawQuery,
    rawBody: null,
    contentType: null,
    url: path,
    headers: {},
    ip: '127.0.0.1',
    userAgent: null,
    receivedAt: NOW,
    channel: 'postback',
  };
  const params = parseParams(rawQuery);
  if (!params.ok) throw new Error(params.rejection.reason);
  expect(params.value.get('key')).toEqual([source.secretKey]);
  const mapped = mapParams(params.value, source);
  if (!mapped.ok) return mapped;
  return validateEvent(mapped.value, { raw, source, brands: { peek: () => undefined } });
}

/** Every (template, link, type) the generator can produce when all six types are asked for. */
const CASES = BUILT_IN_TEMPLATES.flatMap((template) => {
  const source = compileSource(sourceRow(template.id));
  return buildPostbackLinks(source, template, 'britsino', EVENT_TYPES).flatMap((link) =>
    link.types.map((type) => [template.name, type, template, source, link] as const),
  );
});

describe('buildPostbackLinks', () => {
  it.each(CASES)(
    '%s %s: with the placeholders replaced, the pipeline reads back the same event',
    (_name, type, template, source, link) => {
      const samples = sampleValues(type, source, template, 'u1', NOW.getTime() / 1000 - 60);
      const sent = sentValues(link, samples);
      const result = ingestPath(testPostbackPath(source.slug, link, samples, source), source);
      if (!result.ok) throw new Error(`rejected: ${result.rejection.reason}`);
      const event = result.value;
      expect(event).toMatchObject({
        type,
        brand: 'britsino',
        isTest: true,
        brokenFields: [],
        affiliateId: sent.affiliate_id ?? null,
        subId: sent.sub_id ?? null,
        trackingTag: sent.tracking_tag ?? null,
        trafficSource: sent.traffic_source ?? null,
        externalUid: sent.external_uid ?? null,
        transactionId: sent.transaction_id ?? null,
        country: sent.country ?? null,
        currency: sent.currency ?? null,
        amountMicros: sent.amount === undefined ? null : 25_000_000n,
      });
      expect(event.occurredAt.getTime()).toBe(
        sent.occurred_at === undefined ? NOW.getTime() : NOW.getTime() - 60_000,
      );
      // Each URL identifies the player who sent it: a conversion always has an id to find it by.
      if (type !== 'CLICK') expect(sent.external_uid ?? sent.transaction_id).toMatch(/^linkgen-/);
      if (['FTD', 'DEP', 'REDEP', 'CPA'].includes(type)) expect(sent.amount).toBe('25.00');
    },
  );

  it.each(CASES)('%s %s: a placeholder the platform leaves unreplaced is caught as a macro', (...c) => {
    const link = c[4];
    for (const param of link.params.filter((p) => p.kind === 'macro')) {
      expect(detectMacro(param.value), param.value).toBe(param.value);
    }
  });

  it('writes the platform’s own placeholder and parameter names', () => {
    const cellxpert = compileSource(sourceRow('cellxpert'));
    const [link] = buildPostbackLinks(cellxpert, templateOf('cellxpert'), 'britsino', ['FTD']);
    expect(link && linkUrl('https://panel.example/', 'cellxpert', link)).toBe(
      'https://panel.example/postback/cellxpert?key=YOUR_KEY&event=ftd&brand=britsino&affiliateid=[affiliateid]' +
        '&afp=[afp]&trackingcode=[trackingcode]&userid=[userid]&depositid=[depositid]&amount=[transaction_sum]' +
        '&currency=[currency]&isocountry=[isocountry]',
    );
  });

  it('gives a one-URL platform (Affise) one shared URL with the event as a placeholder', () => {
    const affise = compileSource(sourceRow('affise'));
    const links = buildPostbackLinks(affise, templateOf('affise'), 'britsino', ['CPA', 'REG']);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ types: ['REG', 'CPA'], shared: true });
    expect(links[0]?.params.find((p) => p.field === 'event')).toMatchObject({
      name: 'goal',
      value: '{goal}',
    });
    expect(links[0]?.warnings.join(' ')).toContain('reg, cpa');
  });

  it('orders the URLs as the panel does and warns about types the platform documents no postback for', () => {
    const referon = compileSource(sourceRow('referon'));
    const links = buildPostbackLinks(referon, templateOf('referon'), 'britsino', ['DEP', 'REG']);
    expect(links.map((l) => l.types)).toEqual([['REG'], ['DEP']]);
    expect(links[0]?.warnings).toEqual([]);
    expect(links[1]?.warnings[0]).toContain('REFERON documents no DEP postback');
    expect(platformProfile('referon').postbackTypes).toEqual(['REG', 'FTD', 'CPA']);
    expect(platformProfile('unknown-template')).toBe(platformProfile('generic'));
  });

  it('follows the source’s own mapping: overridden names and event words', () => {
    const row = sourceRow('generic', {
      param_map: JSON.stringify({ sub_id: ['s1'], event: ['action'] }),
      event_map: JSON.stringify({ signup2: 'REG', reg: 'FTD' }),
    });
    const source = compileSource(row);
    const [link] = buildPostbackLinks(source, templateOf('generic'), 'britsino', ['REG']);
    if (!link) throw new Error('no link');
    const path = linkPath('generic', link);
    // `reg` now means FTD on this source, so the REG URL sends the first word it reads as REG.
    expect(path).toContain('action=registration');
    expect(path).toContain('s1={sub_id}');
    const samples = sampleValues('REG', source, templateOf('generic'), 'u2', NOW.getTime() / 1000);
    const result = ingestPath(testPostbackPath('generic', link, samples, source), source);
    expect(result.ok && result.value.type).toBe('REG');
    expect(result.ok && result.value.subId).toBe('linkgen-click-u2');
  });

  it('leaves the key out for a signing (HMAC) source', () => {
    const source = compileSource(sourceRow('generic', { auth_mode: 'hmac' }));
    const [link] = buildPostbackLinks(source, templateOf('generic'), 'britsino', ['CLICK']);
    expect(link && linkPath('generic', link)).toMatch(/^\/postback\/generic\?event=click&brand=britsino&/);
  });

  it('encodes fixed values and keeps placeholders as they are', () => {
    const source = compileSource(sourceRow('generic', { secret_key: 'a+b/c=' }));
    const [link] = buildPostbackLinks(source, templateOf('generic'), 'brit.sino', ['REG']);
    expect(link && linkPath('my source', link)).toMatch(
      /^\/postback\/my%20source\?key=a%2Bb%2Fc%3D&event=reg&brand=brit\.sino&affiliate_id=\{affiliate_id\}/,
    );
  });

  it('refuses an empty type list, naming the field', () => {
    const source = compileSource(sourceRow('generic'));
    expect(() => buildPostbackLinks(source, templateOf('generic'), 'britsino', [])).toThrow(LinkError);
    try {
      buildPostbackLinks(source, templateOf('generic'), 'britsino', []);
    } catch (error) {
      expect(error instanceof LinkError && error.field).toBe('types');
    }
  });
});

describe('eventWordFor and macroName', () => {
  it('prefers the type’s own name and falls back to a mapped word', () => {
    const source = compileSource(sourceRow('generic', { event_map: JSON.stringify({ cpa: 'FTD' }) }));
    expect(eventWordFor('REG', source.events)).toBe('reg');
    expect(eventWordFor('CPA', source.events)).toBe('qualified_cpa');
  });

  it.each([
    ['{clickid}', 'clickid'],
    ['[afp]', 'afp'],
    ['{{click_id}}', 'click_id'],
    ['[[tid]]', 'tid'],
    ['#s2#', 's2'],
    ['{url.cid}', 'url.cid'],
    ['plain', null],
  ])('reads the name inside %s', (macro, name) => {
    expect(macroName(macro)).toBe(name);
  });
});

describe('docs/platform-templates.md example URLs', () => {
  const doc = readFileSync(new URL('../../docs/platform-templates.md', import.meta.url), 'utf8');
  const examples = [...doc.matchAll(/https:\/\/panel\.example\/postback\/(\w+)\?(\S+)/g)].map(
    (m) => [m[1] ?? '', m[0]] as const,
  );

  it('has an example for every template', () => {
    expect(new Set(examples.map(([id]) => id))).toEqual(new Set(BUILT_IN_TEMPLATES.map((t) => t.id)));
  });

  it.each(examples)('%s: the generator writes %s', (id, url) => {
    const template = templateOf(id);
    const source = compileSource(sourceRow(id));
    const word = new URL(url).searchParams.get('event');
    const types: EventType[] = word === null ? ['REG'] : [word.toUpperCase() as EventType];
    const [link] = buildPostbackLinks(source, template, 'britsino', types) as [PostbackLink];
    expect(linkUrl('https://panel.example', id, link)).toBe(url);
  });
});
