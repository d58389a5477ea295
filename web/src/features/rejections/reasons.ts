/**
 * Rejection codes in words: what each stored `reason_code` means to an affiliate manager. Keyed by
 * the server's own RejectionCode type, so a new code breaks the web type check until it is named.
 */
import type { RejectionCode } from '../../../../src/ingest/step.js';

export const REASON_LABELS: Record<RejectionCode, string> = {
  unknown_source: 'Unknown source',
  source_inactive: 'Source switched off',
  bad_key: 'Missing or wrong key',
  bad_signature: 'Bad signature',
  ip_not_allowed: 'Address not allowed',
  invalid_encoding: 'Broken URL encoding',
  invalid_body: 'Unreadable body',
  repeated_parameter: 'Parameter given twice',
  field_too_long: 'Value too long',
  missing_event: 'No event type',
  unknown_event: 'Unknown event type',
  declined_status: 'Declined conversion',
  missing_brand: 'No brand',
  brand_blocked: 'Brand blocked',
  invalid_amount: 'Bad amount',
  missing_currency: 'Amount without currency',
  invalid_currency: 'Bad currency',
  invalid_country: 'Bad country',
  invalid_test_flag: 'Bad test flag',
  future_timestamp: 'Time in the future',
};

export const REASON_CODES = Object.keys(REASON_LABELS) as [RejectionCode, ...RejectionCode[]];

/** The label of a stored code; a code this build does not know is shown as it is. */
export function reasonLabel(code: string): string {
  return (REASON_LABELS as Record<string, string | undefined>)[code] ?? code;
}
