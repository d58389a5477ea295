/**
 * What every ingest step returns: the value it produced, or the reason the postback is rejected.
 * A rejection carries a stable code (counted on Deal Audit), a short human reason (sent back to
 * the network) and the field at fault.
 */

export type RejectionCode =
  | 'unknown_source'
  | 'source_inactive'
  | 'bad_key'
  | 'bad_signature'
  | 'ip_not_allowed'
  | 'invalid_encoding'
  | 'invalid_body'
  | 'repeated_parameter'
  | 'field_too_long'
  | 'missing_event'
  | 'unknown_event'
  | 'declined_status'
  | 'missing_brand'
  | 'brand_blocked'
  | 'invalid_amount'
  | 'missing_currency'
  | 'invalid_currency'
  | 'invalid_country'
  | 'invalid_test_flag'
  | 'future_timestamp';

export interface Rejection {
  code: RejectionCode;
  reason: string;
  field?: string;
}

export type StepResult<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export const accept = <T>(value: T): StepResult<T> => ({ ok: true, value });

export const reject = (
  code: RejectionCode,
  reason: string,
  field?: string,
): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: field === undefined ? { code, reason } : { code, reason, field },
});

/** HTTP status answered for each rejection code. */
export function rejectionStatus(code: RejectionCode): number {
  switch (code) {
    case 'unknown_source':
    case 'source_inactive':
      return 404;
    case 'bad_key':
    case 'bad_signature':
      return 401;
    case 'ip_not_allowed':
    case 'brand_blocked':
      return 403;
    default:
      return 400;
  }
}
