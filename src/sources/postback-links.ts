/**
 * The Link Generator's URL building: for a source (its platform template and mapping), a brand and
 * event types, the postback URLs an admin pastes into the network — fixed values (key, brand, event
 * word) written as text, everything else as the platform's own placeholder. Also fills those
 * placeholders with sample values for a test postback. Pure: no I/O, no clock, no randomness (the
 * caller passes the time and a unique id), so every URL can be checked against the ingest steps.
 *
 * Which fields a URL carries follows docs/platform-templates.md, whose example URLs these functions
 * reproduce exactly (the unit tests compare them):
 * - every URL: affiliate ID, sub-ID and tracking tag (who sent the player);
 * - CLICK: plus traffic source, country, time — no player, transaction or money yet;
 * - REG: plus player, country, time; the transaction id only where the platform passes no player
 *   id, because then it is the only duplicate key;
 * - FTD, DEP, REDEP, CPA: plus player, transaction id, amount, currency, country, time; CPA also
 *   the status (approved / declined);
 * - a platform with one URL for every event (Affise) gets a single URL carrying all its placeholders,
 *   the event itself as a placeholder, right after the status.
 * A parameter's name is the placeholder's own name when the source reads it for that field
 * (`clickid={clickid}`, `[afp]` as `afp=`), else the first name the source's mapping reads.
 */
import { type CanonicalField, EVENT_TYPES, type EventType } from '../domain.js';
import { resolveEventType } from '../ingest/validate-event.js';
import type { CompiledSource } from './compiled-source.js';
import type { PlatformTemplate } from './template-types.js';

/** What the builder needs from a source: its compiled mapping plus how it authenticates. */
export type LinkSource = Pick<CompiledSource, 'slug' | 'authMode' | 'secretKey' | 'params' | 'events'>;

/** A refusal that names the request field at fault (`source`, `brand`, `types`). */
export class LinkError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export interface LinkParam {
  name: string;
  /** A fixed value (written URL-encoded), or the platform's placeholder (written as it is). */
  value: string;
  kind: 'key' | 'static' | 'macro';
  /** The canonical field the parameter feeds (`key` for the source key). */
  field: CanonicalField | 'key';
}

export interface PostbackLink {
  /** The event types this URL reports: one, or every selected type for a shared URL. */
  types: EventType[];
  /** True when the event type travels as a placeholder (one URL for every event). */
  shared: boolean;
  params: LinkParam[];
  /** Things the admin should know before pasting this URL. */
  warnings: string[];
}

/** What the Link Generator knows about a platform beyond its template. */
export interface PlatformProfile {
  /** The event types the platform documents a postback for (docs/platform-templates.md). */
  postbackTypes: readonly EventType[];
  /** A status value the platform sends for an approved conversion (for test postbacks). */
  approvedStatus: string;
  /** Per event type: placeholders that differ from the template's, and fields left out. */
  byType?: Partial<
    Record<
      EventType,
      { macros?: Partial<Record<CanonicalField, LinkParamOverride>>; omit?: CanonicalField[] }
    >
  >;
}

interface LinkParamOverride {
  name: string;
  macro: string;
}

/** Cellxpert's Purchase (deposit) URL carries the deposit size; its Commission URL the commission. */
const CELLXPERT_DEPOSIT = { macros: { amount: { name: 'amount', macro: '[transaction_sum]' } } };

const DEFAULT_PROFILE: PlatformProfile = { postbackTypes: EVENT_TYPES, approvedStatus: 'approved' };

const PROFILES: Readonly<Record<string, PlatformProfile>> = {
  referon: { postbackTypes: ['REG', 'FTD', 'CPA'], approvedStatus: 'approved' },
  cellxpert: {
    postbackTypes: ['REG', 'FTD', 'CPA'],
    approvedStatus: 'approved',
    byType: {
      FTD: CELLXPERT_DEPOSIT,
      DEP: CELLXPERT_DEPOSIT,
      REDEP: CELLXPERT_DEPOSIT,
      // [depositid] names a deposit; a commission has none and is recognised by player.
      CPA: { omit: ['transaction_id'] },
    },
  },
  affise: { postbackTypes: EVENT_TYPES, approvedStatus: '1' },
  cparound: { postbackTypes: ['REG', 'FTD', 'DEP', 'REDEP', 'CPA'], approvedStatus: 'approved' },
  generic: DEFAULT_PROFILE,
};

export function platformProfile(templateId: string): PlatformProfile {
  return PROFILES[templateId] ?? DEFAULT_PROFILE;
}

/** Dynamic fields in the order they are written. */
const FIELD_ORDER: readonly CanonicalField[] = [
  'affiliate_id',
  'sub_id',
  'tracking_tag',
  'traffic_source',
  'external_uid',
  'transaction_id',
  'amount',
  'currency',
  'country',
  'status',
  'occurred_at',
];

const WHO = ['affiliate_id', 'sub_id', 'tracking_tag'] as const satisfies readonly CanonicalField[];
const CONVERSION: readonly CanonicalField[] = [
  ...WHO,
  'external_uid',
  'transaction_id',
  'amount',
  'currency',
  'country',
  'occurred_at',
];

function fieldsFor(type: EventType, template: PlatformTemplate): ReadonlySet<CanonicalField> {
  switch (type) {
    case 'CLICK':
      return new Set([...WHO, 'traffic_source', 'country', 'occurred_at']);
    case 'REG': {
      const noPlayer = template.macros.external_uid === undefined;
      return new Set([
        ...WHO,
        'external_uid',
        ...(noPlayer ? (['transaction_id'] as const) : []),
        'country',
        'occurred_at',
      ]);
    }
    case 'CPA':
      return new Set([...CONVERSION, 'status']);
    default:
      return new Set(CONVERSION);
  }
}

/** `{clickid}` -> `clickid`, `[afp]` -> `afp`, `{{sub1}}`, `[[tid]]`, `#s2#` likewise; else null. */
export function macroName(macro: string): string | null {
  const match = /^(?:\{\{|\[\[|\{|\[|#)\s*([A-Za-z_][\w.]*)\s*(?:\}\}|\]\]|\}|\]|#)$/.exec(macro);
  return match?.[1]?.toLowerCase() ?? null;
}

/** The parameter name to write for a field: `preferred` when the source reads it there, else its first name. */
function paramName(source: LinkSource, field: CanonicalField, preferred: string | null): string | null {
  const names = source.params.get(field) ?? [field];
  if (preferred !== null && names.includes(preferred)) return preferred;
  return names[0] ?? null;
}

/**
 * The word to send for `type`: its own name (`reg`) when the source reads it as that type, else the
 * first word the source's event mapping gives that type; null when the source has none.
 */
export function eventWordFor(type: EventType, events: LinkSource['events']): string | null {
  const candidates = [type.toLowerCase(), ...[...events].filter(([, t]) => t === type).map(([w]) => w)];
  return candidates.find((word) => resolveEventType(word, events) === type) ?? null;
}

function staticParams(source: LinkSource, brand: string, type: EventType | null): LinkParam[] {
  const out: LinkParam[] = [];
  if (source.authMode === 'key')
    out.push({ name: 'key', value: source.secretKey, kind: 'key', field: 'key' });
  if (type !== null) {
    const word = eventWordFor(type, source.events);
    const name = paramName(source, 'event', null);
    if (word === null || name === null)
      throw new LinkError(`the source maps no event word to ${type}`, 'types');
    out.push({ name, value: word, kind: 'static', field: 'event' });
  }
  const brandName = paramName(source, 'brand', null);
  if (brandName === null) throw new LinkError('the source reads no brand parameter', 'source');
  out.push({ name: brandName, value: brand, kind: 'static', field: 'brand' });
  return out;
}

function macroParam(
  source: LinkSource,
  field: CanonicalField,
  macro: string,
  preferredName: string | null,
): LinkParam | null {
  const name = paramName(source, field, preferredName ?? macroName(macro));
  return name === null ? null : { name, value: macro, kind: 'macro', field };
}

function perEventLink(
  source: LinkSource,
  template: PlatformTemplate,
  brand: string,
  type: EventType,
): PostbackLink {
  const profile = platformProfile(template.id);
  const overrides = profile.byType?.[type];
  const wanted = fieldsFor(type, template);
  const params = staticParams(source, brand, type);
  for (const field of FIELD_ORDER) {
    if (!wanted.has(field) || overrides?.omit?.includes(field)) continue;
    const override = overrides?.macros?.[field];
    const macro = override?.macro ?? template.macros[field];
    if (macro === undefined) continue;
    const param = macroParam(source, field, macro, override?.name ?? null);
    if (param) params.push(param);
  }
  const warnings = profile.postbackTypes.includes(type)
    ? []
    : [`${template.name} documents no ${type} postback; use this URL only if the platform can send one.`];
  return { types: [type], shared: false, params, warnings };
}

function sharedLink(
  source: LinkSource,
  template: PlatformTemplate,
  brand: string,
  types: EventType[],
): PostbackLink {
  const params = staticParams(source, brand, null);
  const event = template.macros.event;
  if (event === undefined) throw new LinkError(`${template.name} has no event placeholder`, 'source');
  const order: CanonicalField[] = ['event', 'status', ...FIELD_ORDER.filter((f) => f !== 'status')];
  for (const field of order) {
    const macro = template.macros[field];
    const param = macro === undefined ? null : macroParam(source, field, macro, null);
    if (param) params.push(param);
  }
  const words = types.map((t) => eventWordFor(t, source.events) ?? t.toLowerCase());
  return {
    types,
    shared: true,
    params,
    warnings: [
      `One URL for every event: ${template.name} sends the event in ${event}. Name the goals ` +
        `${words.join(', ')} (or map the goal values on the source).`,
    ],
  };
}

/**
 * The postback URLs for these types: one per type where the platform sets one URL per event, else
 * one shared URL. Types come back in the panel's order. Throws LinkError when the source cannot
 * express a type or the brand.
 */
export function buildPostbackLinks(
  source: LinkSource,
  template: PlatformTemplate,
  brand: string,
  types: readonly EventType[],
): PostbackLink[] {
  const ordered = EVENT_TYPES.filter((t) => types.includes(t));
  if (ordered.length === 0) throw new LinkError('choose at least one event type', 'types');
  if (!template.urlPerEvent) return [sharedLink(source, template, brand, ordered)];
  return ordered.map((type) => perEventLink(source, template, brand, type));
}

function queryOf(params: readonly LinkParam[], write: (param: LinkParam) => string): string {
  return params.map((p) => `${encodeURIComponent(p.name)}=${write(p)}`).join('&');
}

/** The path and query a network calls, placeholders left as they are for the platform to replace. */
export function linkPath(slug: string, link: PostbackLink): string {
  const query = queryOf(link.params, (p) => (p.kind === 'macro' ? p.value : encodeURIComponent(p.value)));
  return `/postback/${encodeURIComponent(slug)}?${query}`;
}

/** The full URL to paste into the platform. */
export function linkUrl(baseUrl: string, slug: string, link: PostbackLink): string {
  return `${baseUrl.replace(/\/+$/, '')}${linkPath(slug, link)}`;
}

export type SampleValues = Partial<Record<CanonicalField, string>>;

/**
 * Values a platform could send for one test event: ids unique to this test (`unique`), so it is
 * never taken for a duplicate, an amount and currency, a country and the time (Unix seconds).
 */
export function sampleValues(
  type: EventType,
  source: LinkSource,
  template: PlatformTemplate,
  unique: string,
  nowSeconds: number,
): SampleValues {
  return {
    event: eventWordFor(type, source.events) ?? type.toLowerCase(),
    affiliate_id: 'linkgen-aff',
    sub_id: `linkgen-click-${unique}`,
    tracking_tag: 'LINKGEN_TEST',
    traffic_source: 'linkgen',
    external_uid: `linkgen-player-${unique}`,
    transaction_id: `linkgen-tx-${unique}`,
    amount: '25.00',
    currency: 'EUR',
    country: 'DE',
    status: platformProfile(template.id).approvedStatus,
    occurred_at: String(nowSeconds),
  };
}

/**
 * The path and query of a test postback: every placeholder replaced by its sample value
 * (URL-encoded, as platforms do), plus the test flag so the event is kept out of every metric.
 */
export function testPostbackPath(
  slug: string,
  link: PostbackLink,
  samples: SampleValues,
  source: LinkSource,
): string {
  const filled = queryOf(link.params, (p) => {
    if (p.kind !== 'macro' || p.field === 'key') return encodeURIComponent(p.value);
    return encodeURIComponent(samples[p.field] ?? '');
  });
  const testName = paramName(source, 'is_test', 'test') ?? 'test';
  return `/postback/${encodeURIComponent(slug)}?${filled}&${encodeURIComponent(testName)}=1`;
}

/** The sample values a test postback actually sent, by field (what the stored event must show). */
export function sentValues(link: PostbackLink, samples: SampleValues): SampleValues {
  const out: SampleValues = {};
  for (const p of link.params) {
    if (p.field === 'key') continue;
    out[p.field] = p.kind === 'macro' ? (samples[p.field] ?? '') : p.value;
  }
  return out;
}
