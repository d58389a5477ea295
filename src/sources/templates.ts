/**
 * Built-in platform templates: for each well-known affiliate platform, the parameter names its
 * postbacks use per canonical field, the event words it sends, the status words that mean
 * "declined", its placeholder syntax for the Link Generator and default lag thresholds.
 * Data only. The evidence and the assumptions behind every entry are in docs/platform-templates.md.
 */
import { CANONICAL_FIELDS, type CanonicalField, EVENT_TYPES, type EventType } from '../domain.js';
import type { PlatformTemplate } from './template-types.js';

type ParamNames = Partial<Record<CanonicalField, readonly string[]>>;

/**
 * Names accepted for each field on every template, after the canonical name itself, because admins
 * copy generic URLs between networks. `key` is deliberately absent: it authenticates, it is no field.
 */
const GENERIC_ALIASES: Readonly<Record<CanonicalField, readonly string[]>> = {
  event: ['type', 'event_type'],
  brand: [],
  affiliate_id: ['aff_id'],
  sub_id: ['subid', 'clickid', 'click_id'],
  external_uid: ['player_id', 'user_id'],
  transaction_id: ['txid', 'tid'],
  tracking_tag: ['tag', 'btag'],
  traffic_source: [],
  country: ['geo'],
  amount: ['payout'],
  currency: [],
  occurred_at: ['timestamp', 'event_time'],
  is_test: ['test'],
  status: [],
  sender: [],
  sheet: [],
};

/**
 * Every canonical field gets, in priority order: its canonical name (an explicit `amount=` always
 * wins), then the platform's own names, then the generic aliases. The first name is the one a
 * generated URL should use.
 */
function buildParams(own: ParamNames): ParamNames {
  const out: ParamNames = {};
  for (const field of CANONICAL_FIELDS) {
    out[field] = Object.freeze([...new Set([field, ...(own[field] ?? []), ...GENERIC_ALIASES[field]])]);
  }
  return Object.freeze(out);
}

/**
 * Event words as networks spell them, grouped by the type they mean. Ambiguous words are settled
 * here once for every template: `lead` = REG (a sign-up in CPA/iGaming, not Keitaro's "pending"),
 * `purchase` = FTD (Cellxpert's name for the first-deposit postback), `sale` and `commission` = CPA
 * (the paid conversion), `rebill` = REDEP. `conversion` and numeric goal ids are left unmapped:
 * they mean different things per network and belong in the source's own event mapping.
 */
const EVENT_WORDS: Readonly<Record<EventType, readonly string[]>> = {
  CLICK: ['click', 'clicks', 'visit', 'hit', 'unique_click', 'raw_click'],
  REG: [
    'reg',
    'registration',
    'registrations',
    'register',
    'registered',
    'signup',
    'sign_up',
    'sign-up',
    'sign up',
    'lead',
  ],
  FTD: [
    'ftd',
    'first_deposit',
    'first-deposit',
    'first deposit',
    'firstdeposit',
    'first_dep',
    'first-dep',
    'first dep',
    'firstdep',
    'first_time_deposit',
    'first time deposit',
    'ndc',
    'purchase',
  ],
  DEP: ['dep', 'deposit', 'deposits'],
  REDEP: [
    'redep',
    're_dep',
    're-dep',
    'redeposit',
    're_deposit',
    're-deposit',
    're deposit',
    'repeat_deposit',
    'repeat-deposit',
    'repeat deposit',
    'rebill',
  ],
  CPA: [
    'cpa',
    'qualified_cpa',
    'qualified-cpa',
    'qualified cpa',
    'qualifiedcpa',
    'qcpa',
    'cpa_qualification',
    'cpa qualification',
    'qualification',
    'qualified',
    'commission',
    'sale',
  ],
};

/**
 * Builds a word -> type map with no prototype (a network sending `event=constructor` must not hit
 * an inherited property). Fails at load time if a word is listed under two types.
 */
function buildEvents(
  groups: Readonly<Record<EventType, readonly string[]>>,
): Readonly<Record<string, EventType>> {
  const map: Record<string, EventType> = Object.create(null);
  for (const type of EVENT_TYPES) {
    for (const word of groups[type]) {
      const existing = map[word];
      if (existing !== undefined && existing !== type) {
        throw new Error(`event word "${word}" listed as both ${existing} and ${type}`);
      }
      map[word] = type;
    }
  }
  return Object.freeze(map);
}

const EVENTS = buildEvents(EVENT_WORDS);

/** Status words that mean the conversion was refused, as trackers and networks spell them. */
const DECLINED_WORDS: readonly string[] = [
  'rejected',
  'reject',
  'declined',
  'decline',
  'cancelled',
  'canceled',
  'trash',
  'fraud',
];

function freezeTemplate(template: PlatformTemplate): PlatformTemplate {
  return Object.freeze({
    ...template,
    declinedStatuses: Object.freeze([...template.declinedStatuses]),
    macros: Object.freeze({ ...template.macros }),
    lag: Object.freeze({ ...template.lag }),
  });
}

const REFERON: PlatformTemplate = {
  id: 'referon',
  name: 'REFERON',
  macroSyntax: 'brace',
  params: buildParams({
    event: ['event_type'],
    sub_id: ['clickid'],
    tracking_tag: ['mid'],
    external_uid: ['customer_id'],
    occurred_at: ['event_time'],
  }),
  events: EVENTS,
  declinedStatuses: DECLINED_WORDS,
  macros: {
    affiliate_id: '{affiliate_id}',
    sub_id: '{clickid}',
    tracking_tag: '{mid}',
    external_uid: '{customer_id}',
    amount: '{amount}',
    currency: '{currency}',
    occurred_at: '{event_time}',
  },
  urlPerEvent: true,
  lag: { warningMinutes: 360, errorMinutes: 1560 },
  notes:
    'Grade D (partial), help.referon.com: postback types Registration, First Deposit and Qualified CPA, ' +
    'so one URL per type with a static event word. Qualified CPA is sent at data frequency and can come ' +
    'hours after the FTD, hence the loose lag. Grade I: the placeholder syntax is not published; {name} ' +
    'braces and the names {affiliate_id}, {clickid}, {customer_id}, {mid}, {amount}, {currency}, ' +
    '{event_time} are assumed - check them with Parse and the Logs tab. The pass-through variable must be ' +
    "named exactly like the tracker's (clickid). ReferOn identifies brands by GUID, so brand is static " +
    'text and brandguid is not mapped. No transaction id is sent: duplicates are recognised by customer ' +
    'id (REG, FTD and CPA count once per player).',
};

const CELLXPERT: PlatformTemplate = {
  id: 'cellxpert',
  name: 'CELLXPERT',
  macroSyntax: 'square',
  params: buildParams({
    affiliate_id: ['affiliateid'],
    sub_id: ['afp'],
    tracking_tag: ['trackingcode'],
    external_uid: ['userid'],
    transaction_id: ['depositid'],
    amount: ['commissionamount', 'transaction_sum'],
    country: ['isocountry'],
  }),
  events: EVENTS,
  declinedStatuses: DECLINED_WORDS,
  macros: {
    affiliate_id: '[affiliateid]',
    sub_id: '[afp]',
    tracking_tag: '[trackingcode]',
    external_uid: '[userid]',
    transaction_id: '[depositid]',
    amount: '[commissionamount]',
    currency: '[currency]',
    country: '[isocountry]',
  },
  urlPerEvent: true,
  lag: { warningMinutes: 240, errorMinutes: 1440 },
  notes:
    'Grade P + I: described by programs running on Cellxpert (The Trading Pit, Axi), not by Cellxpert. ' +
    'One URL per postback type: Registration, Purchase (= first deposit) and Commission (= qualified ' +
    'CPA), tokens in square brackets. [afp], [trackingcode], [isocountry], [depositid], ' +
    '[transaction_sum] and [commissionamount] are quoted by a program; [affiliateid], [userid] and ' +
    '[currency] are assumed. [afp] is read as the sub-ID/click ID (uncertain). The amount token is ' +
    '[commissionamount] so CPA revenue is the commission; put amount=[transaction_sum] on the Purchase ' +
    'URL for the deposit size. The FTD and its deposit can share [depositid], so duplicates are keyed ' +
    'by type too.',
};

const AFFISE: PlatformTemplate = {
  id: 'affise',
  name: 'AFFISE',
  macroSyntax: 'brace',
  params: buildParams({
    event: ['goal'],
    affiliate_id: ['pid'],
    sub_id: ['sub1'],
    tracking_tag: ['sub2'],
    external_uid: ['user_id'],
    transaction_id: ['transactionid'],
    amount: ['sum'],
    country: ['geo'],
    occurred_at: ['timestamp'],
  }),
  events: EVENTS,
  declinedStatuses: ['3', ...DECLINED_WORDS],
  macros: {
    event: '{goal}',
    status: '{status}',
    affiliate_id: '{pid}',
    sub_id: '{sub1}',
    tracking_tag: '{sub2}',
    external_uid: '{user_id}',
    transaction_id: '{transactionid}',
    amount: '{sum}',
    currency: '{currency}',
    country: '{geo}',
    occurred_at: '{timestamp}',
  },
  urlPerEvent: false,
  lag: { warningMinutes: 180, errorMinutes: 720 },
  notes:
    "Grade D: macros from Affise's help centre. One URL for every goal; {goal} is the offer's own goal " +
    'value, so numeric goals (1, 2, ...) must be mapped on the source. {status}: 1 approved, 2 pending ' +
    'and 5 hold are accepted, 3 declined is rejected. Affise has no {clickid}: the click ID travels in ' +
    '{sub1} (read as sub-ID) and {sub2} is read as the tracking tag (our choice). The amount is the ' +
    'payout {sum} in {currency}, never the sale price {order_sum}/{order_currency}. {pid} as a ' +
    'postback macro is assumed (documented as a tracking-link parameter). Affise fires in real time ' +
    'and retries 5 times on any 4xx/5xx.',
};

const CPAROUND: PlatformTemplate = {
  id: 'cparound',
  name: 'CPAROUND',
  macroSyntax: 'brace',
  params: buildParams({
    sub_id: ['clickid'],
    transaction_id: ['tid'],
    amount: ['payout'],
    country: ['geo'],
  }),
  events: EVENTS,
  declinedStatuses: DECLINED_WORDS,
  macros: {
    affiliate_id: '{aff_id}',
    sub_id: '{clickid}',
    transaction_id: '{tid}',
    amount: '{payout}',
    currency: '{currency}',
    country: '{geo}',
  },
  urlPerEvent: true,
  lag: { warningMinutes: 360, errorMinutes: 1560 },
  notes:
    'Grade I: nothing public was found about CPAround postbacks. Assumed CPA-network conventions from ' +
    'tracker templates: {clickid}-style braces, a static event word per goal (one URL per event type), ' +
    "{payout}, {currency}, {geo}, {tid}; {aff_id} is a guess. Check every macro against CPAround's own " +
    'list before use: an unreplaced one shows up on Broken Tags. If a copied template sends the event ' +
    'word as status=reg, rename that parameter to event=. Lag is loose because delivery timing is unknown.',
};

const GENERIC: PlatformTemplate = {
  id: 'generic',
  name: 'GENERIC',
  macroSyntax: 'brace',
  params: buildParams({}),
  events: EVENTS,
  declinedStatuses: DECLINED_WORDS,
  macros: {
    affiliate_id: '{affiliate_id}',
    sub_id: '{sub_id}',
    tracking_tag: '{tracking_tag}',
    external_uid: '{player_id}',
    transaction_id: '{transaction_id}',
    traffic_source: '{traffic_source}',
    amount: '{amount}',
    currency: '{currency}',
    country: '{country}',
    occurred_at: '{timestamp}',
    status: '{status}',
  },
  urlPerEvent: true,
  lag: { warningMinutes: 1560, errorMinutes: 3000 },
  notes:
    'For any network without its own template (MyAffiliates, Income Access, NetRefer, RapidPace, ...): ' +
    "AFFPanel's canonical names and common aliases, {name} placeholders to replace with the network's " +
    'own macros, one URL per event type with a static event word. Numeric status codes are not declined ' +
    'here (they differ per network); add them on the source. The lag allows for platforms that send ' +
    'once a day (MyAffiliates sends at data frequency, grade P); tighten it for a real-time network.',
};

/** The templates shipped with AFFPanel, in the order the panel lists them (generic last). */
export const BUILT_IN_TEMPLATES: readonly PlatformTemplate[] = Object.freeze(
  [REFERON, CELLXPERT, AFFISE, CPAROUND, GENERIC].map(freezeTemplate),
);

/** The built-in template with this id (case and surrounding spaces ignored), or undefined. */
export function getTemplate(id: string): PlatformTemplate | undefined {
  const wanted = id.trim().toLowerCase();
  return BUILT_IN_TEMPLATES.find((template) => template.id === wanted);
}
