/**
 * A source record merged with its platform template into what the ingest steps need:
 * lookup tables keyed by lower-cased parameter name and event word, parsed CIDR ranges.
 * Built once per directory refresh, never per request.
 */
import ipaddr from 'ipaddr.js';
import type { SourceRow } from '../db/schema.js';
import { CANONICAL_FIELDS, type CanonicalField, type EventType, isEventType } from '../domain.js';
import { getTemplate } from './templates.js';

export interface CompiledSource {
  id: number;
  slug: string;
  name: string;
  template: string;
  authMode: 'key' | 'hmac';
  secretKey: string;
  /** Keys rotated out and still accepted until `expiresAt` (the previous one, and the one before). */
  graceKeys: ReadonlyArray<{ key: string; expiresAt: number }>;
  isActive: boolean;
  allowlist: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  /** Canonical field -> parameter names in priority order (lower case). */
  params: ReadonlyMap<CanonicalField, readonly string[]>;
  events: ReadonlyMap<string, EventType>;
  declinedStatuses: ReadonlySet<string>;
  defaultCurrency: string | null;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function compileSource(row: SourceRow): CompiledSource {
  const template = getTemplate(row.template) ?? getTemplate('generic');
  const overrides = parseJson<Partial<Record<string, string[]>>>(row.param_map, {});
  const params = new Map<CanonicalField, readonly string[]>();
  for (const field of CANONICAL_FIELDS) {
    const names = overrides[field] ?? template?.params[field] ?? [field];
    params.set(
      field,
      names.map((n) => n.toLowerCase()),
    );
  }
  const events = new Map<string, EventType>();
  for (const [word, type] of Object.entries(template?.events ?? {})) events.set(word.toLowerCase(), type);
  for (const [word, type] of Object.entries(parseJson<Record<string, string>>(row.event_map, {}))) {
    const upper = type.toUpperCase();
    if (isEventType(upper)) events.set(word.toLowerCase(), upper);
  }
  const declined = parseJson<string[]>(row.declined_statuses, []);
  const allowlist = parseJson<string[]>(row.ip_allowlist, []).map((cidr) => parseCidr(cidr));
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    template: row.template,
    authMode: row.auth_mode,
    secretKey: row.secret_key,
    graceKeys: [
      [row.previous_key, row.previous_key_expires_at],
      [row.older_key, row.older_key_expires_at],
    ].flatMap(([key, expiresAt]) =>
      key !== null && expiresAt !== null ? [{ key: String(key), expiresAt: Number(expiresAt) }] : [],
    ),
    isActive: row.is_active === 1,
    allowlist,
    params,
    events,
    declinedStatuses: new Set(
      [...(template?.declinedStatuses ?? []), ...declined].map((s) => s.toLowerCase()),
    ),
    defaultCurrency: row.default_currency,
  };
}

/** Parses `10.0.0.0/8` or a bare address (a /32 or /128). Throws on bad input: validate before saving. */
export function parseCidr(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

export function isIpAllowed(source: CompiledSource, ip: string | null): boolean {
  if (source.allowlist.length === 0) return true;
  if (ip === null || !ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  return source.allowlist.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
}
