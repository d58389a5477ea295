/**
 * The preview: under each column of the file, the field it fills for the chosen source (or that
 * it is ignored, or the source key, which is never stored), then the first rows with what the
 * pipeline would make of each. Renders what it is given; never fetches.
 */
import { TypeBadge } from '../../ui/badge';
import type { ColumnUse, PreviewAnswer, RowVerdict } from './import-api';
import { ScrollRegion } from './scroll-region';

function UseChip({ use }: { use: ColumnUse }) {
  if (use.kind === 'field') return <span className="im-use field">→ {use.field}</span>;
  if (use.kind === 'key') return <span className="im-use key">source key, not stored</span>;
  return <span className="im-use ignored">ignored (kept in raw body)</span>;
}

function Verdict({ verdict }: { verdict: RowVerdict | null }) {
  if (verdict === null) return <span className="muted">—</span>;
  if (verdict.status === 'valid') {
    return (
      <span className="im-verdict">
        <span className="pill good">OK</span> <TypeBadge type={verdict.type} />
      </span>
    );
  }
  return (
    <span className="im-verdict">
      <span className="pill bad">REJECTED</span> <span className="im-reason">{verdict.reason}</span>
    </span>
  );
}

export function PreviewTable({ preview }: { preview: PreviewAnswer }) {
  const where = preview.format === 'xlsx' ? 'Row' : 'Line';
  const timed = preview.columns.some((c) => c.use.kind === 'field' && c.use.field === 'occurred_at');
  return (
    <>
      {timed ? null : (
        <div className="note" data-testid="no-time-column">
          No column of this file gives the event time (<code>occurred_at</code> for this source), so every row
          will be dated at the moment of the import. Add a time column to keep the events on their own dates.
        </div>
      )}
      <ScrollRegion className="im-preview" label={`Preview of ${preview.file}, scrollable`}>
        <table className="data" aria-label={`Preview of ${preview.file}`}>
          <thead>
            <tr>
              <th scope="col" className="num">
                {where}
              </th>
              {preview.columns.map((column, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a header may repeat a name (the preview says so)
                <th scope="col" key={i}>
                  <span className="im-col-name">{column.name}</span>
                  <UseChip use={column.use} />
                </th>
              ))}
              <th scope="col">Check</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr key={row.line} data-line={row.line}>
                <td className="num muted">{row.line}</td>
                {preview.columns.map((_, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                  <td key={i} className="im-cell" title={row.cells[i] ?? ''}>
                    {row.cells[i] ?? ''}
                  </td>
                ))}
                <td>
                  <Verdict verdict={row.verdict} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}
