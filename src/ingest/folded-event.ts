/** The fields of a stored event that the derived rollups are built from. */
import type { EventRow } from '../db/schema.js';

export type FoldedEvent = Pick<
  EventRow,
  | 'id'
  | 'received_at'
  | 'occurred_at'
  | 'type'
  | 'brand_id'
  | 'source_id'
  | 'affiliate_id'
  | 'sub_id'
  | 'external_uid'
  | 'tracking_tag'
  | 'country'
  | 'amount_micros'
  | 'currency'
  | 'is_test'
  | 'sender'
  | 'sheet'
  | 'broken_fields'
  | 'broken_macro'
>;
