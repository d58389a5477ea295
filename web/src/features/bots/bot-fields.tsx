/**
 * The inputs of a bot, shared by Create and Edit: name, token (write-only: when editing, the input
 * starts empty and only the masked token the API returned is shown), chat ID, business unit,
 * active, the scope (brands, sources, affiliates, event types, test events) and the template with
 * its live preview. Each input shows its own error.
 */
import { type ReactNode, useId } from 'react';
import { EVENT_TYPES, TYPE_NAMES } from '../../lib/event-types';
import { TypeBadge } from '../../ui/badge';
import { useBrandOptions, useSourceOptions } from '../shared/options';
import type { BotForm, FieldErrors, FormMode } from './bot-form';
import type { TestEventMode } from './bots-api';
import { ChipsInput, Field } from './form-controls';
import { TemplateEditor } from './template-editor';

const TEST_MODES: { value: TestEventMode; label: string }[] = [
  { value: 'exclude', label: 'Live events only (no test events)' },
  { value: 'include', label: 'Live and test events' },
  { value: 'only', label: 'Test events only' },
];

const slug = (v: string) => v.trim().toLowerCase();

export function BotFields({
  form,
  onChange,
  errors,
  mode,
  maskedToken,
}: {
  form: BotForm;
  onChange: (patch: Partial<BotForm>) => void;
  errors: FieldErrors;
  mode: FormMode;
  /** Edit: the masked token the API returned (`123456:…wXyZ`). */
  maskedToken?: string;
}) {
  const brands = useBrandOptions();
  const sources = useSourceOptions();
  const typesHint = useId();
  return (
    <>
      <Field label="Name" error={errors.name}>
        {(c) => (
          <input
            {...c}
            className="input"
            value={form.name}
            maxLength={64}
            onChange={(e) => onChange({ name: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Telegram bot token"
        error={errors.token}
        hint={
          mode === 'edit' ? (
            <>
              Saved token: <code data-testid="masked-token">{maskedToken}</code>. It is never shown again;
              type a new one only to replace it.
            </>
          ) : (
            'From @BotFather. Write-only: once saved it is never shown again.'
          )
        }
      >
        {(c) => (
          <input
            {...c}
            className="input mono"
            type="password"
            autoComplete="off"
            value={form.token}
            placeholder={mode === 'edit' ? 'leave empty to keep the saved token' : '123456789:AAE…'}
            onChange={(e) => onChange({ token: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Telegram chat / group ID"
        error={errors.chatId}
        hint="A number (negative for groups, e.g. -1001234567890) or @channel."
      >
        {(c) => (
          <input
            {...c}
            className="input mono"
            value={form.chatId}
            inputMode="text"
            onChange={(e) => onChange({ chatId: e.target.value })}
          />
        )}
      </Field>
      <Field label="Business unit (optional)" error={errors.businessUnit}>
        {(c) => (
          <input
            {...c}
            className="input"
            value={form.businessUnit}
            maxLength={64}
            onChange={(e) => onChange({ businessUnit: e.target.value })}
          />
        )}
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={form.isActive}
          onChange={(e) => onChange({ isActive: e.target.checked })}
        />
        Active — sends a message for every event in its scope
      </label>

      <fieldset className="bot-scope">
        <legend>Scope — which events it announces (empty = all)</legend>
        <Field label="Brands" error={errors.brands} hint="Brand slugs; Enter or a comma adds one.">
          {(c) => (
            <ChipsInput
              label="Brands"
              what="brand"
              control={c}
              values={form.brands}
              onChange={(v) => onChange({ brands: v })}
              suggestions={brands.data}
              normalise={slug}
              placeholder="all brands"
            />
          )}
        </Field>
        <UnknownNote what="brand" values={form.brands} known={brands.data}>
          No event has named it yet: the bot announces it from its first postback. Check the spelling.
        </UnknownNote>
        <Field label="Sources" error={errors.sources}>
          {(c) => (
            <ChipsInput
              label="Sources"
              what="source"
              control={c}
              values={form.sources}
              onChange={(v) => onChange({ sources: v })}
              suggestions={sources.data}
              normalise={slug}
              placeholder="all sources"
            />
          )}
        </Field>
        <UnknownNote what="source" values={form.sources} known={sources.data}>
          No source has that slug: events can only come from a registered source.
        </UnknownNote>
        <Field
          label="Affiliates"
          error={errors.affiliates}
          hint="Affiliate IDs; with any listed, an event without an affiliate is not announced."
        >
          {(c) => (
            <ChipsInput
              label="Affiliates"
              what="affiliate"
              control={c}
              values={form.affiliates}
              onChange={(v) => onChange({ affiliates: v })}
              placeholder="all affiliates"
            />
          )}
        </Field>
        <fieldset className="bot-types" aria-describedby={typesHint}>
          <legend className="field-label">Event types</legend>
          <div className="toolbar">
            {EVENT_TYPES.map((t) => (
              <label key={t} className="check" title={TYPE_NAMES[t]}>
                <input
                  type="checkbox"
                  checked={form.types.includes(t)}
                  onChange={(e) =>
                    onChange({
                      types: EVENT_TYPES.filter((x) => (x === t ? e.target.checked : form.types.includes(x))),
                    })
                  }
                />
                <TypeBadge type={t} />
              </label>
            ))}
          </div>
          <div className="bot-hint" id={typesHint}>
            {form.types.length === 0 ? 'None ticked: every type, CLICK included.' : 'Only the ticked types.'}
          </div>
          {errors.types ? <div className="bot-field-error">Event types: {errors.types}</div> : null}
        </fieldset>
        <Field label="Test events" error={errors.testEvents}>
          {(c) => (
            <select
              {...c}
              className="select"
              value={form.testEvents}
              onChange={(e) => onChange({ testEvents: e.target.value as TestEventMode })}
            >
              {TEST_MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>

      <TemplateEditor
        value={form.template}
        botName={form.name}
        onChange={(template) => onChange({ template })}
        error={errors.template}
      />
    </>
  );
}

/** Names in a scope list that the panel does not know yet: a typo announces nothing, silently. */
function UnknownNote({
  what,
  values,
  known,
  children,
}: {
  what: string;
  values: readonly string[];
  known: ReadonlyArray<{ value: string }> | undefined;
  children: ReactNode;
}) {
  if (!known) return null;
  const unknown = values.filter((v) => !known.some((k) => k.value === v));
  if (unknown.length === 0) return null;
  return (
    <p className="bot-unknown" role="note" data-testid={`unknown-${what}`}>
      Unknown {what}
      {unknown.length > 1 ? 's' : ''}: {unknown.join(', ')}. {children}
    </p>
  );
}
