/**
 * An audit entry's details, folded: a one-line summary (which fields changed, or what was created
 * or deleted) that opens onto the before/after JSON. Values are shown as text, never as markup.
 */
import type { AuditEntry } from './queries';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "role, status changed", "details" (only after), "record before" (only before), or "" (nothing). */
export function summarise(before: unknown, after: unknown): string {
  if (before === null && after === null) return '';
  if (before === null) return 'details';
  if (after === null) return 'record before';
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length === 0) return 'no field changed';
    const shown = changed.slice(0, 4).join(', ');
    return `${shown}${changed.length > 4 ? ` +${changed.length - 4}` : ''} changed`;
  }
  return 'changed';
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export function AuditDetails({ entry }: { entry: AuditEntry }) {
  const summary = summarise(entry.before, entry.after);
  if (summary === '') return <span className="muted">—</span>;
  return (
    <details className="au-details">
      <summary>{summary}</summary>
      <div className="au-json">
        {entry.before !== null ? (
          <div>
            <div className="field-label">Before</div>
            <pre className="raw">{json(entry.before)}</pre>
          </div>
        ) : null}
        {entry.after !== null ? (
          <div>
            <div className="field-label">After</div>
            <pre className="raw">{json(entry.after)}</pre>
          </div>
        ) : null}
      </div>
    </details>
  );
}
