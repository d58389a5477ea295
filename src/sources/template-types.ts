/**
 * The shape of a built-in platform template: how one affiliate platform names its postback
 * parameters, spells its event words and writes its macros. Data only.
 */
import type { CanonicalField, EventType } from '../domain.js';

export type MacroSyntax = 'brace' | 'double-brace' | 'square' | 'none';

export interface PlatformTemplate {
  /** Stable id stored on the source record, e.g. `cellxpert`. */
  id: string;
  /** Display name, upper case as the panel shows networks, e.g. `CELLXPERT`. */
  name: string;
  /** How this platform writes a placeholder in a postback URL (for the Link Generator). */
  macroSyntax: MacroSyntax;
  /** Canonical field -> network parameter names accepted for it, first present wins (case-insensitive). */
  params: Partial<Record<CanonicalField, readonly string[]>>;
  /** Network event word (lower case) -> canonical type. */
  events: Readonly<Record<string, EventType>>;
  /** Status words (lower case) that mean the conversion was declined: such a postback is rejected. */
  declinedStatuses: readonly string[];
  /** Canonical field -> the platform's own placeholder for it, written into generated postback URLs. */
  macros: Partial<Record<CanonicalField, string>>;
  /** True when the platform configures one URL per event type, so the event word is static in the URL. */
  urlPerEvent: boolean;
  /** Default minutes of silence before the source is flagged warning / error. */
  lag: { warningMinutes: number; errorMinutes: number };
  /** What we assumed about this platform and why (shown in docs and the Link Generator). */
  notes: string;
}
