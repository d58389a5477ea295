/**
 * Whether a stored rejection can be sent through the pipeline again (routes/admin/rejections.ts):
 * only one refused after authentication, whose source is known and whose stored request is whole.
 * A request refused before it proved where it came from (unreadable, unknown or inactive source,
 * wrong key or signature, address not allowed) can only be sent again by the network.
 */
import type { RejectionCode } from './step.js';

const BEFORE_AUTHENTICATION: ReadonlySet<string> = new Set<RejectionCode>([
  'invalid_encoding',
  'invalid_body',
  'unknown_source',
  'source_inactive',
  'bad_key',
  'bad_signature',
  'ip_not_allowed',
]);

/** A stored query or body this long was cut when the rejection was recorded (see ingestor.ts). */
export const STORED_RAW_MAX = 8192;

export function refusedBeforeAuthentication(code: string): boolean {
  return BEFORE_AUTHENTICATION.has(code);
}

export function reprocessable(row: {
  reason_code: string;
  source_id: number | null;
  raw_query: string;
  raw_body: string | null;
}): boolean {
  return (
    !refusedBeforeAuthentication(row.reason_code) &&
    row.source_id !== null &&
    row.raw_query.length < STORED_RAW_MAX &&
    (row.raw_body?.length ?? 0) < STORED_RAW_MAX
  );
}
