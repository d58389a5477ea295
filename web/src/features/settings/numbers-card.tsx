/**
 * A card of number settings saved together (conversion thresholds, the suspicious-deal rule, the
 * export row limit): percentages are edited as percent and sent as fractions, counts as whole
 * numbers. Checked here first (in the units shown), then by the server, whose field errors land
 * on their input. Nothing is sent while any field is invalid.
 */
import { useId, useState } from 'react';
import { formatCount, formatRate } from '../../lib/format';
import {
  errorField,
  onSubmit,
  SaveBar,
  SettingInput,
  savedNotice,
  serverMessage,
  UnsavedMark,
} from './form-parts';
import {
  type AdminSettings,
  type Bounds,
  type NumberName,
  type SettingsPatch,
  useSaveSettings,
} from './settings-api';

export interface NumberFieldDef {
  name: NumberName;
  label: string;
  unit: 'percent' | 'count';
  bounds: Bounds;
  /** The minimum itself is not allowed (a ratio of 0 would flag every deal). */
  exclusiveMin?: boolean;
  help?: string;
}

const PERCENT_RE = /^\d{1,3}(\.\d{1,4})?$/;

function toText(f: NumberFieldDef, value: number): string {
  return f.unit === 'percent' ? String(Number((value * 100).toFixed(4))) : String(value);
}

/** 5.0%, 12.75%, 1,000,000: at least one decimal for percentages, more only when set. */
function shown(f: NumberFieldDef, value: number): string {
  if (f.unit === 'count') return formatCount(value);
  const decimals = (toText(f, value).split('.')[1] ?? '').length;
  return formatRate(value, Math.max(1, decimals));
}

/** The value to send, or the error to show, in the units the field is edited in. */
export function parseDraft(f: NumberFieldDef, text: string): { value: number } | { error: string } {
  const t = text.trim().replace(/[,\s]/g, '');
  const { min, max } = f.bounds;
  if (f.unit === 'percent') {
    const range = `a percentage ${f.exclusiveMin ? 'above' : 'from'} ${min * 100} ${f.exclusiveMin ? 'and up to' : 'to'} ${max * 100}`;
    if (!PERCENT_RE.test(t)) return { error: `Enter ${range} (at most 4 decimals), like 12.5` };
    const pct = Number(t);
    if (pct > max * 100 || pct < min * 100 || (f.exclusiveMin && pct === min * 100))
      return { error: `Enter ${range}` };
    return { value: Math.round(pct * 1e4) / 1e6 };
  }
  const range = `a whole number from ${formatCount(min)} to ${formatCount(max)}`;
  if (!/^\d{1,12}$/.test(t)) return { error: `Enter ${range}` };
  const n = Number(t);
  if (n < min || n > max) return { error: `Enter ${range}` };
  return { value: n };
}

type Drafts = Partial<Record<NumberName, string>>;

export function NumbersCard({
  title,
  description,
  fields,
  data,
  testId,
}: {
  title: string;
  description: string;
  fields: NumberFieldDef[];
  data: AdminSettings;
  testId: string;
}) {
  const id = useId();
  const save = useSaveSettings();
  const serverText = (f: NumberFieldDef) => toText(f, data.settings[f.name].value);
  const initial = (): Drafts => Object.fromEntries(fields.map((f) => [f.name, serverText(f)]));
  const serverKey = JSON.stringify(fields.map((f) => data.settings[f.name]));
  const [synced, setSynced] = useState(serverKey);
  const [drafts, setDrafts] = useState<Drafts>(initial);
  const [resets, setResets] = useState<ReadonlySet<NumberName>>(new Set());
  const [errors, setErrors] = useState<Drafts>({});
  const [notice, setNotice] = useState<string | null>(null);
  if (synced !== serverKey) {
    // The saved values changed (this card's save, or another admin's): show them.
    setSynced(serverKey);
    setDrafts(initial());
    setResets(new Set());
  }

  const draftOf = (f: NumberFieldDef) => drafts[f.name] ?? serverText(f);
  const isDirty = (f: NumberFieldDef) => resets.has(f.name) || draftOf(f) !== serverText(f);
  const dirty = fields.some(isDirty);
  const failedField = errorField(save.error);
  const cardError =
    save.error && !fields.some((f) => f.name === failedField) ? serverMessage(save.error) : null;

  const edit = (f: NumberFieldDef, text: string) => {
    setDrafts((d) => ({ ...d, [f.name]: text }));
    setResets((r) => new Set([...r].filter((n) => n !== f.name)));
    setErrors((e) => ({ ...e, [f.name]: undefined }));
    setNotice(null);
    save.reset();
  };
  const reset = (f: NumberFieldDef) => {
    edit(f, toText(f, data.settings[f.name].default));
    setResets((r) => new Set([...r, f.name]));
  };
  const discard = () => {
    setDrafts(initial());
    setResets(new Set());
    setErrors({});
    save.reset();
  };
  const submit = () => {
    const patch: SettingsPatch = {};
    const found: Drafts = {};
    for (const f of fields.filter(isDirty)) {
      if (resets.has(f.name)) {
        patch[f.name] = null;
        continue;
      }
      const parsed = parseDraft(f, draftOf(f));
      if ('error' in parsed) found[f.name] = parsed.error;
      else patch[f.name] = parsed.value;
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate(patch, { onSuccess: (res) => setNotice(savedNotice(res.changed)) });
  };

  return (
    <section className="card st-card" aria-labelledby={`${id}-title`} data-testid={testId}>
      <div className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <UnsavedMark dirty={dirty} />
      </div>
      <form className="card-body st-form" onSubmit={onSubmit(submit)} noValidate>
        <p className="st-intro">{description}</p>
        {fields.map((f) => {
          const entry = data.settings[f.name];
          const fieldError =
            errors[f.name] ?? (failedField === f.name ? serverMessage(save.error, f.name) : undefined);
          return (
            <SettingInput
              key={f.name}
              id={`${id}-${f.name}`}
              label={f.unit === 'percent' ? `${f.label} (%)` : f.label}
              suffix={f.unit === 'percent' ? '%' : undefined}
              inputMode={f.unit === 'percent' ? 'decimal' : 'numeric'}
              value={draftOf(f)}
              onChange={(text) => edit(f, text)}
              error={fieldError}
              onReset={entry.overridden && !resets.has(f.name) ? () => reset(f) : undefined}
              hint={
                <>
                  {f.help ? `${f.help} ` : ''}Default {shown(f, entry.default)}
                  {resets.has(f.name) ? ' — will be restored on Save' : entry.overridden ? '' : ' (in use)'}
                </>
              }
            />
          );
        })}
        <SaveBar
          dirty={dirty}
          saving={save.isPending}
          notice={notice}
          error={cardError}
          onDiscard={discard}
        />
      </form>
    </section>
  );
}
