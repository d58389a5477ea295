import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceRow } from '../db/schema.js';
import { CANONICAL_FIELDS, type CanonicalField, FIELD_MAX_LENGTH } from '../domain.js';
import { compileSource } from '../sources/compiled-source.js';
import { BUILT_IN_TEMPLATES } from '../sources/templates.js';
import { type MappedFields, mapParams } from './map-params.js';
import type { Params } from './parse-params.js';
import { accept, reject, type StepResult } from './step.js';

/**
 * The step as first written: every field in order, each of its names in order, the first name
 * sent with a non-blank value decides. The name index mapParams walks instead must agree with
 * it on every answer, rejections included.
 */
function referenceMap(
  params: Params,
  mapping: ReadonlyMap<CanonicalField, readonly string[]>,
): StepResult<MappedFields> {
  const out: MappedFields = {};
  for (const field of CANONICAL_FIELDS) {
    for (const name of mapping.get(field) ?? [field]) {
      const values = params.get(name);
      if (values === undefined || values.every((v) => v.trim() === '')) continue;
      const first = values[0] ?? '';
      if (values.some((v) => v !== first)) {
        return reject(
          'repeated_parameter',
          `parameter ${name} given more than once with different values`,
          field,
        );
      }
      const value = first.trim();
      if (value.length > FIELD_MAX_LENGTH[field]) {
        return reject('field_too_long', `${field} longer than ${FIELD_MAX_LENGTH[field]} characters`, field);
      }
      out[field] = value;
      break;
    }
  }
  return accept(out);
}

/** A small pool of names, so that mappings share names and postbacks hit several of them. */
const NAMES = [
  'event',
  'type',
  'brand',
  'amount',
  'payout',
  'sum',
  'status',
  'userid',
  'tid',
  'x',
  'is_test',
];
const name = fc.constantFrom(...NAMES, ...CANONICAL_FIELDS);
const value = fc.oneof(
  fc.constantFrom('', ' ', 'reg', ' ftd ', '12.50', 'a'.repeat(70), 'b'.repeat(300)),
  fc.string({ maxLength: 8 }),
);
const params: fc.Arbitrary<Params> = fc
  .array(fc.tuple(name, fc.array(value, { minLength: 1, maxLength: 3 })), { maxLength: 10 })
  .map((entries) => new Map(entries));
const mapping: fc.Arbitrary<ReadonlyMap<CanonicalField, readonly string[]>> = fc
  .array(fc.tuple(fc.constantFrom(...CANONICAL_FIELDS), fc.array(name, { maxLength: 4 })), {
    maxLength: 16,
  })
  .map((entries) => new Map(entries));

describe('mapParams', () => {
  it('answers as trying each field’s names in order, for any mapping and any parameters', () => {
    fc.assert(
      fc.property(mapping, params, (map, sent) => {
        expect(mapParams(sent, { params: map })).toEqual(referenceMap(sent, map));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with it on every built-in template too', () => {
    const sources = BUILT_IN_TEMPLATES.map((template) =>
      compileSource({
        id: 1,
        slug: template.id,
        name: template.name,
        template: template.id,
        auth_mode: 'key',
        secret_key: 'k',
        previous_key: null,
        previous_key_expires_at: null,
        older_key: null,
        older_key_expires_at: null,
        is_active: 1,
        ip_allowlist: '[]',
        param_map: '{}',
        event_map: '{}',
        declined_statuses: '[]',
        default_currency: null,
        lag_warning_minutes: 60,
        lag_error_minutes: 240,
        created_at: 0,
        updated_at: 0,
      } satisfies SourceRow),
    );
    const templateName = fc.constantFrom(...new Set(sources.flatMap((s) => [...s.params.values()].flat())));
    const sentToTemplate: fc.Arbitrary<Params> = fc
      .array(fc.tuple(templateName, fc.array(value, { minLength: 1, maxLength: 2 })), { maxLength: 12 })
      .map((entries) => new Map(entries));
    fc.assert(
      fc.property(fc.constantFrom(...sources), sentToTemplate, (source, sent) => {
        expect(mapParams(sent, source)).toEqual(referenceMap(sent, source.params));
      }),
      { numRuns: 2000 },
    );
  });
});
