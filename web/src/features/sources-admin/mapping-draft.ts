/**
 * The mapping part of the source form as the admin edits it (text per field, rows of event words)
 * and its translation to the API's shape. Only what differs from the template is sent as an
 * override, so a later fix to a template still reaches every source that did not change that field.
 */
import { ApiError } from '../../api/client';
import type { AdminSource, EventTypeName, SourceChanges, SourceTemplate } from './sources-admin-api';

export interface EventWordDraft {
  id: number;
  word: string;
  type: EventTypeName;
}

export interface MappingDraft {
  /** Canonical field -> the parameter names, comma-separated as typed. */
  params: Record<string, string>;
  events: EventWordDraft[];
  declined: string;
  allowlist: string;
  currency: string;
}

let nextId = 1;
export function newEventWord(word = '', type: EventTypeName = 'REG'): EventWordDraft {
  nextId += 1;
  return { id: nextId, word, type };
}

/** `MySub, sub2 sub2` -> `['mysub', 'sub2']`: split on commas and spaces, lower case, no repeats. */
export function namesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n !== ''),
    ),
  ];
}

/** One entry per line or comma, as typed (the server validates each). */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The form's starting point: the template's names, with the source's overrides over them. */
export function draftFrom(
  template: SourceTemplate,
  fields: readonly string[],
  source?: AdminSource,
): MappingDraft {
  const params: Record<string, string> = {};
  for (const field of fields)
    params[field] = (source?.paramMap[field] ?? template.params[field] ?? []).join(', ');
  return {
    params,
    events: Object.entries(source?.eventMap ?? {}).map(([word, type]) => newEventWord(word, type)),
    declined: (source?.declinedStatuses ?? []).join(', '),
    allowlist: (source?.ipAllowlist ?? []).join('\n'),
    currency: source?.defaultCurrency ?? '',
  };
}

export function isOverridden(template: SourceTemplate, field: string, text: string): boolean {
  return !sameList(namesOf(text), template.params[field] ?? []);
}

/** What the draft asks the server to store (overrides only). */
export function mappingChanges(draft: MappingDraft, template: SourceTemplate): SourceChanges {
  const paramMap: Record<string, string[]> = {};
  for (const [field, text] of Object.entries(draft.params)) {
    if (isOverridden(template, field, text)) paramMap[field] = namesOf(text);
  }
  const eventMap: Record<string, string> = {};
  for (const row of draft.events)
    if (row.word.trim() !== '') eventMap[row.word.trim().toLowerCase()] = row.type;
  return {
    paramMap,
    eventMap,
    declinedStatuses: namesOf(draft.declined),
    ipAllowlist: listOf(draft.allowlist),
    defaultCurrency: draft.currency.trim() === '' ? null : draft.currency.trim().toUpperCase(),
  };
}

/** The server's message when its error names this field (or a part of it, `paramMap.sub_id.0`). */
export function errorFor(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError) || !error.field) return null;
  return error.field === field || error.field.startsWith(`${field}.`) ? error.message : null;
}
