/**
 * The alert settings on the Bots page (`GET/PUT /api/admin/bots/alerts`): on/off, the bot whose
 * token sends them, the admin chat, the broken-tag spike threshold and window and the
 * suspicious-deal window, plus the alerts open now. Checked here with the server's limits, so
 * each wrong field is named; the server's own refusal is shown at the field it names.
 */
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { formatUtc, timeAgo } from '../../lib/format';
import { ErrorState, errorText, Skeleton } from '../../ui/states';
import { CHAT_ID_PATTERN } from './bot-form';
import { type AlertSettings, type AlertsAnswer, type PublicBot, useAlerts, useSaveAlerts } from './bots-api';
import { Field } from './form-controls';

interface Draft {
  enabled: boolean;
  botId: string;
  chatId: string;
  brokenSpikeThreshold: string;
  brokenSpikeWindowHours: string;
  suspiciousWindowHours: string;
}
type DraftErrors = Partial<Record<keyof Draft, string>>;

const NUMBERS = {
  brokenSpikeThreshold: { min: 1, max: 1_000_000_000 },
  brokenSpikeWindowHours: { min: 1, max: 168 },
  suspiciousWindowHours: { min: 1, max: 24 * 31 },
} as const;

function draftOf(s: AlertSettings): Draft {
  return {
    enabled: s.enabled,
    botId: s.botId === null ? '' : String(s.botId),
    chatId: s.chatId ?? '',
    brokenSpikeThreshold: String(s.brokenSpikeThreshold),
    brokenSpikeWindowHours: String(s.brokenSpikeWindowHours),
    suspiciousWindowHours: String(s.suspiciousWindowHours),
  };
}

function wholeNumberError(text: string, { min, max }: { min: number; max: number }): string | undefined {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) return 'a whole number is required';
  return n < min || n > max ? `between ${min} and ${max.toLocaleString('en-US')}` : undefined;
}

/** The settings to send, or the errors by field. */
function parseDraft(d: Draft): { settings: AlertSettings } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const chat = d.chatId.trim();
  if (chat !== '' && !CHAT_ID_PATTERN.test(chat))
    errors.chatId = 'a numeric chat id (negative for groups) or @channel';
  if (d.enabled && d.botId === '') errors.botId = 'alerts need a bot to send them';
  if (d.enabled && chat === '') errors.chatId = 'alerts need a chat to go to';
  for (const key of Object.keys(NUMBERS) as (keyof typeof NUMBERS)[]) {
    const problem = wholeNumberError(d[key], NUMBERS[key]);
    if (problem) errors[key] = problem;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: {
      enabled: d.enabled,
      botId: d.botId === '' ? null : Number(d.botId),
      chatId: chat === '' ? null : chat,
      brokenSpikeThreshold: Number(d.brokenSpikeThreshold),
      brokenSpikeWindowHours: Number(d.brokenSpikeWindowHours),
      suspiciousWindowHours: Number(d.suspiciousWindowHours),
    },
  };
}

function AlertsForm({ answer, bots }: { answer: AlertsAnswer; bots: PublicBot[] }) {
  const [draft, setDraft] = useState(() => draftOf(answer.settings));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saved, setSaved] = useState(false);
  const save = useSaveAlerts();
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !(k in patch))));
    setSaved(false);
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = parseDraft(draft);
    if ('errors' in parsed) {
      setErrors(parsed.errors);
      return;
    }
    save.mutate(parsed.settings, {
      onSuccess: () => setSaved(true),
      onError: (error) => {
        const field = error instanceof ApiError ? error.field : undefined;
        if (field && field in draft) setErrors({ [field]: error.message });
      },
    });
  };
  const number = (key: keyof typeof NUMBERS, label: string, hint?: string) => (
    <Field label={label} error={errors[key]} hint={hint}>
      {(c) => (
        <input
          {...c}
          className="input"
          type="number"
          min={NUMBERS[key].min}
          max={NUMBERS[key].max}
          step={1}
          value={draft[key]}
          onChange={(e) => set({ [key]: e.target.value })}
        />
      )}
    </Field>
  );
  const serverError =
    save.error instanceof ApiError && save.error.field && save.error.field in draft ? null : save.error;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Alert settings">
      <label className="check">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
        Send alerts (silent sources, suspicious deals, broken-tag spikes) to an admin chat
      </label>
      <div className="alerts-grid">
        <Field
          label="Alert bot"
          error={errors.botId}
          hint="Its token sends the alerts; it need not be active."
        >
          {(c) => (
            <select
              {...c}
              className="select"
              value={draft.botId}
              onChange={(e) => set({ botId: e.target.value })}
            >
              <option value="">— none —</option>
              {draft.botId !== '' && !bots.some((b) => String(b.id) === draft.botId) ? (
                <option value={draft.botId}>bot #{draft.botId} (no longer exists)</option>
              ) : null}
              {bots.map((b) => (
                <option key={b.id} value={String(b.id)}>
                  {b.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Admin chat ID" error={errors.chatId}>
          {(c) => (
            <input
              {...c}
              className="input mono"
              value={draft.chatId}
              onChange={(e) => set({ chatId: e.target.value })}
            />
          )}
        </Field>
        {number(
          'brokenSpikeThreshold',
          'Broken-tag spike (events)',
          'Broken events of one brand in the window.',
        )}
        {number('brokenSpikeWindowHours', 'Spike window (hours)')}
        {number('suspiciousWindowHours', 'Suspicious-deal window (hours)')}
      </div>
      {serverError ? (
        <p className="form-error" role="alert">
          {errorText(serverError)}
        </p>
      ) : null}
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save alert settings'}
        </button>
        <span role="status" className="bot-hint">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}

export function AlertsCard({ bots }: { bots: PublicBot[] }) {
  const alerts = useAlerts();
  return (
    <section className="card" aria-labelledby="alerts-title" data-testid="alerts-card">
      <div className="card-head">
        <h2 id="alerts-title">Alerts</h2>
        {alerts.data ? (
          <span className="muted" data-testid="open-alerts">
            {alerts.data.open.length === 0 ? 'no open alerts' : `${alerts.data.open.length} open`}
          </span>
        ) : null}
      </div>
      <div className="card-body stack">
        {alerts.isError ? (
          <ErrorState
            error={alerts.error}
            title="Could not load the alert settings"
            onRetry={() => alerts.refetch()}
          />
        ) : !alerts.data ? (
          <div aria-busy="true">
            <Skeleton height={180} />
          </div>
        ) : (
          <>
            <AlertsForm answer={alerts.data} bots={bots} />
            {alerts.data.open.length > 0 ? (
              <ul className="plain-list">
                {alerts.data.open.map((a) => (
                  <li key={a.key}>
                    <span className="pill bad">{a.kind.replace(/_/g, ' ').toUpperCase()}</span>{' '}
                    <code>{a.key}</code>{' '}
                    <time dateTime={a.since} title={formatUtc(a.since)} className="muted">
                      since {timeAgo(a.since)}
                    </time>
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        )}
      </div>
    </section>
  );
}
