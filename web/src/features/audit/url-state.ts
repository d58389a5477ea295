/**
 * The audit log's URL: actor, action, target type and id, and a UTC date range. The API takes
 * exact instants, so a `from` date means its 00:00 UTC and a `to` date the end of that day.
 */
import { z } from 'zod';
import { dateParam, textParam } from '../../lib/url-state';

export const auditSearch = z.object({
  actor: textParam(100),
  action: textParam(100),
  targetType: textParam(50),
  targetId: textParam(100),
  from: dateParam(),
  to: dateParam(),
});
export type AuditSearch = z.output<typeof auditSearch>;

export const CLEARED = {
  actor: undefined,
  action: undefined,
  targetType: undefined,
  targetId: undefined,
  from: undefined,
  to: undefined,
} as const;

export function auditApiParams(s: AuditSearch) {
  return {
    actor: s.actor,
    action: s.action,
    targetType: s.targetType,
    targetId: s.targetId,
    from: s.from ? `${s.from}T00:00:00.000Z` : undefined,
    to: s.to ? `${s.to}T23:59:59.999Z` : undefined,
  };
}

export function activeFilterCount(s: AuditSearch): number {
  return Object.values(s).filter(Boolean).length;
}
