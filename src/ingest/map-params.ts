/**
 * Step 2: network parameters -> canonical fields, through the source's mapping (its template's
 * names plus the admin's overrides). A mapped parameter given twice with different values is
 * ambiguous and rejected; the same value twice is accepted. Values longer than a field's cap are
 * rejected, never truncated (a cut transaction id would break duplicate detection). When several
 * names for one field are present, the first non-empty one in the mapping's order wins.
 */
import { CANONICAL_FIELDS, type CanonicalField, FIELD_MAX_LENGTH } from '../domain.js';
import type { CompiledSource } from '../sources/compiled-source.js';
import type { Params } from './parse-params.js';
import { accept, reject, type StepResult } from './step.js';

export type MappedFields = Partial<Record<CanonicalField, string>>;

/** True when every value is empty or blank (a macro the network rendered as ""). */
function allBlank(values: readonly string[]): boolean {
  for (const value of values) if (value.trim() !== '') return false;
  return true;
}

function allEqual(values: readonly string[], first: string): boolean {
  for (const value of values) if (value !== first) return false;
  return true;
}

export function mapParams(params: Params, source: Pick<CompiledSource, 'params'>): StepResult<MappedFields> {
  const out: MappedFields = {};
  for (const field of CANONICAL_FIELDS) {
    const names = source.params.get(field) ?? [field];
    for (const name of names) {
      const values = params.get(name);
      // An empty value (a macro the network rendered as "") gives way to the next name for the field.
      if (values === undefined || allBlank(values)) continue;
      const first = values[0] ?? '';
      if (!allEqual(values, first)) {
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
