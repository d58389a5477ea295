/**
 * The message template input with its live preview: what Telegram would show for the sample FTD,
 * rendered by the server (`POST /api/admin/bots/preview`, the very code that sends) a moment after
 * typing stops, or the server's reason when the template is refused. The preview is built from
 * the parsed text and entities as React elements, never from HTML, so nothing typed can run.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { errorText } from '../../ui/states';
import { type Preview, usePreview } from './bots-api';
import { Field } from './form-controls';

/** The placeholders a template may use (docs/notifications.md, src/notify/message-template.ts). */
const PLACEHOLDERS = [
  'type_icon',
  'test_mark',
  'type',
  'brand',
  'source',
  'affiliate_id',
  'sub_id',
  'external_uid',
  'transaction_id',
  'tracking_tag',
  'traffic_source',
  'country',
  'amount',
  'currency',
  'raw_event',
  'id',
  'occurred_at',
  'received_at',
  'is_test',
  'sender',
  'sheet',
  'broken_macro',
  'bot',
];

const ENTITY_CLASS: Record<string, string> = {
  bold: 'tg-bold',
  italic: 'tg-italic',
  underline: 'tg-underline',
  strikethrough: 'tg-strike',
  spoiler: 'tg-spoiler',
  code: 'tg-code',
  pre: 'tg-code',
  text_link: 'tg-link',
  blockquote: 'tg-quote',
};

/** The visible text cut at every entity edge, each piece styled by the entities covering it. */
function renderPreview(preview: Preview): ReactNode[] {
  const { text, entities } = preview;
  const edges = new Set([0, text.length]);
  for (const e of entities) {
    edges.add(e.offset);
    edges.add(e.offset + e.length);
  }
  const cuts = [...edges].filter((n) => n >= 0 && n <= text.length).sort((a, b) => a - b);
  const pieces: ReactNode[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i] ?? 0;
    const to = cuts[i + 1] ?? from;
    const covering = entities.filter((e) => e.offset <= from && e.offset + e.length >= to);
    const className = covering.map((e) => ENTITY_CLASS[e.type] ?? '').join(' ');
    const link = covering.find((e) => e.url)?.url;
    pieces.push(
      <span key={from} className={className || undefined} title={link}>
        {text.slice(from, to)}
      </span>,
    );
  }
  return pieces;
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function TemplateEditor({
  value,
  botName,
  onChange,
  error,
}: {
  value: string;
  botName: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const template = useDebounced(value.trim() === '' ? null : value, 350);
  const name = useDebounced(botName.trim(), 350);
  const preview = usePreview(template, name);
  const refused = preview.error instanceof ApiError && preview.error.field === 'template';
  return (
    <>
      <Field
        label="Message template"
        error={error}
        hint={
          <>
            Telegram HTML (<code>&lt;b&gt;</code> <code>&lt;i&gt;</code> <code>&lt;code&gt;</code>…) with
            placeholders; leave empty for the default. Placeholders:{' '}
            {PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}
          </>
        }
      >
        {(control) => (
          <textarea
            {...control}
            className="input bot-template"
            rows={7}
            value={value}
            spellCheck={false}
            placeholder="(default template)"
            onChange={(e) => onChange(e.target.value)}
          />
        )}
      </Field>
      <section className="bot-preview" aria-label="Message preview" aria-busy={preview.isFetching}>
        <div className="bot-preview-head">
          <span className="field-label">Preview · sample FTD</span>
          {preview.isFetching ? <span className="muted">updating…</span> : null}
        </div>
        {preview.isError ? (
          <p className="form-error" data-testid="preview-error" aria-live="polite">
            {refused ? 'Template refused: ' : 'Preview unavailable: '}
            {errorText(preview.error)}
          </p>
        ) : preview.data ? (
          <div className="tg-message" data-testid="preview" aria-live="polite">
            {renderPreview(preview.data)}
          </div>
        ) : (
          <div className="tg-message muted">Loading the preview…</div>
        )}
      </section>
    </>
  );
}
