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

type ParamMapping = Pick<CompiledSource, 'params'>['params'];

/** Where a parameter name is read: the field (its index in CANONICAL_FIELDS) and the name's rank there. */
interface Slot {
  field: number;
  rank: number;
}

/**
 * A mapping turned around, parameter name -> the fields that read it. A postback carries a dozen
 * parameters while a mapping lists about forty names, so looking up what was sent is the shorter
 * walk. Built once per compiled mapping (sources are recompiled when they change).
 */
const slotsByMapping = new WeakMap<ParamMapping, ReadonlyMap<string, readonly Slot[]>>();

function slotsOf(mapping: ParamMapping): ReadonlyMap<string, readonly Slot[]> {
  let slots = slotsByMapping.get(mapping);
  if (slots) return slots;
  const built = new Map<string, Slot[]>();
  CANONICAL_FIELDS.forEach((field, index) => {
    const names = mapping.get(field) ?? [field];
    names.forEach((name, rank) => {
      // A name listed twice for one field gets two slots; the better rank wins below.
      const list = built.get(name);
      if (list) list.push({ field: index, rank });
      else built.set(name, [{ field: index, rank }]);
    });
  });
  slots = built;
  slotsByMapping.set(mapping, slots);
  return slots;
}

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
  const slots = slotsOf(source.params);
  // Per field (by index), the best-ranked name sent with a non-blank value: the first such name
  // in the mapping's order, as if each field's names were tried one after another.
  const ranks: number[] = [];
  const names: string[] = [];
  const sent: string[][] = [];
  for (const [name, values] of params) {
    const where = slots.get(name);
    // An empty value (a macro the network rendered as "") gives way to the next name for the field.
    if (where === undefined || allBlank(values)) continue;
    for (const { field, rank } of where) {
      const best = ranks[field];
      if (best !== undefined && best <= rank) continue;
      ranks[field] = rank;
      names[field] = name;
      sent[field] = values;
    }
  }
  const out: MappedFields = {};
  // Fields in their fixed order, so the first field at fault is the one reported.
  for (let index = 0; index < CANONICAL_FIELDS.length; index++) {
    const values = sent[index];
    const field = CANONICAL_FIELDS[index];
    if (values === undefined || field === undefined) continue;
    const first = values[0] ?? '';
    if (!allEqual(values, first)) {
      return reject(
        'repeated_parameter',
        `parameter ${names[index]} given more than once with different values`,
        field,
      );
    }
    const value = first.trim();
    if (value.length > FIELD_MAX_LENGTH[field]) {
      return reject('field_too_long', `${field} longer than ${FIELD_MAX_LENGTH[field]} characters`, field);
    }
    out[field] = value;
  }
  return accept(out);
}
