/**
 * The side panels of the Bots page. Create: the bot's inputs, checked here first (every wrong
 * field named at once), then by the server (its error is shown at the field it names). Edit: the
 * bot's state (health with "check now", masked token), its actions (send a test message,
 * pause/resume, delete after a confirmation), the same inputs, and its last deliveries.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import { SidePanel } from '../../ui/side-panel';
import { errorText } from '../../ui/states';
import { HealthCell, StatusCell } from './bot-cells';
import { BotFields } from './bot-fields';
import {
  type BotForm,
  bodyOf,
  emptyForm,
  type FieldErrors,
  type FormMode,
  formFieldOf,
  formOf,
  validateForm,
} from './bot-form';
import {
  checkHealth,
  createBot,
  deleteBot,
  type PublicBot,
  sendTestMessage,
  type TestDelivery,
  updateBot,
  useBotMutation,
} from './bots-api';
import { DeliveriesList } from './deliveries-list';

/** The form's state, its errors by field, and a form-level error for what has no field. */
function useBotForm(initial: BotForm, mode: FormMode) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (Object.keys(errors).length > 0)
      ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);
  return {
    ref,
    form,
    errors,
    formError,
    change: (patch: Partial<BotForm>) => {
      setForm((f) => ({ ...f, ...patch }));
      setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !(k in patch))));
    },
    /** Checks the form; says whether it may be sent. */
    check: () => {
      const found = validateForm(form, mode);
      setErrors(found);
      setFormError(null);
      return Object.keys(found).length === 0;
    },
    fail: (error: unknown) => {
      const field = error instanceof ApiError ? formFieldOf(error.field) : null;
      if (field) setErrors({ [field]: error instanceof Error ? error.message : String(error) });
      else setFormError(errorText(error));
    },
    reset: (next: BotForm) => setForm(next),
  };
}

export function CreateBotPanel({ onClose }: { onClose: () => void }) {
  const f = useBotForm(emptyForm(), 'create');
  const create = useBotMutation(createBot);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!f.check()) return;
    create.mutate(bodyOf(f.form), { onSuccess: onClose, onError: f.fail });
  };
  return (
    <SidePanel title="Create bot" label="Create bot" onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate ref={f.ref}>
        <BotFields form={f.form} onChange={f.change} errors={f.errors} mode="create" />
        {f.formError ? (
          <p className="form-error" role="alert">
            {f.formError}
          </p>
        ) : null}
        <div className="toolbar">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create bot'}
          </button>
          <span className="bot-hint">Its health (getMe) is checked right after saving.</span>
        </div>
      </form>
    </SidePanel>
  );
}

function testOutcome(d: TestDelivery): { tone: 'good' | 'bad' | 'warn'; text: string } {
  if (d.status === 'sent') return { tone: 'good', text: 'Test message sent: it reached Telegram.' };
  if (d.status === 'failed')
    return { tone: 'bad', text: `Test message failed: ${d.error ?? 'no reason given'}` };
  return {
    tone: 'warn',
    text: `Test message queued (${d.status}): it goes out with the chat's pacing; see the deliveries below.`,
  };
}

function BotActions({ bot, onDeleted }: { bot: PublicBot; onDeleted: () => void }) {
  const test = useBotMutation(() => sendTestMessage(bot.id));
  const health = useBotMutation(() => checkHealth(bot.id));
  const toggle = useBotMutation(() => updateBot(bot.id, { isActive: bot.status !== 'active' }));
  const remove = useBotMutation(() => deleteBot(bot.id));
  const error = test.error ?? health.error ?? toggle.error ?? remove.error;
  const busy = test.isPending || health.isPending || toggle.isPending || remove.isPending;
  const outcome = test.data ? testOutcome(test.data.delivery) : null;
  return (
    <div className="form">
      <dl className="fields bot-state">
        <dt>Status</dt>
        <dd>
          <StatusCell bot={bot} />
        </dd>
        <dt>Health</dt>
        <dd>
          <HealthCell bot={bot} detailed />
        </dd>
        <dt>Token</dt>
        <dd>
          <code>{bot.token}</code>
        </dd>
      </dl>
      <div className="toolbar">
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => test.mutate(undefined)}
        >
          {test.isPending ? 'Sending…' : 'Send test message'}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => health.mutate(undefined)}>
          {health.isPending ? 'Checking…' : 'Check health'}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => toggle.mutate(undefined)}>
          {bot.status === 'active' ? 'Pause' : 'Resume'}
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy}
          onClick={() => {
            if (
              window.confirm(
                `Delete the bot “${bot.name}”? It stops at once; messages not yet sent are cancelled. Its delivery history stays.`,
              )
            )
              remove.mutate(undefined, { onSuccess: onDeleted });
          }}
        >
          Delete bot
        </button>
      </div>
      <div role="status" aria-live="polite">
        {outcome ? (
          <p className={`bot-outcome ${outcome.tone}`} data-testid="test-outcome">
            {outcome.text}
          </p>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
    </div>
  );
}

function EditBotForm({ bot }: { bot: PublicBot }) {
  const f = useBotForm(formOf(bot), 'edit');
  const [saved, setSaved] = useState(false);
  const save = useBotMutation(() => updateBot(bot.id, bodyOf(f.form)));
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSaved(false);
    if (!f.check()) return;
    save.mutate(undefined, {
      onSuccess: (res) => {
        f.reset(formOf(res.bot));
        setSaved(true);
      },
      onError: f.fail,
    });
  };
  return (
    <form className="form" onSubmit={submit} noValidate ref={f.ref} aria-label="Bot settings">
      <h3 className="bot-section">Settings</h3>
      <BotFields form={f.form} onChange={f.change} errors={f.errors} mode="edit" maskedToken={bot.token} />
      {f.formError ? (
        <p className="form-error" role="alert">
          {f.formError}
        </p>
      ) : null}
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </button>
        <span role="status" className="bot-hint">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}

export function EditBotPanel({ bot, onClose }: { bot: PublicBot; onClose: () => void }) {
  return (
    <SidePanel title={bot.name} label={`Edit bot ${bot.name}`} onClose={onClose}>
      <div className="stack bot-panel">
        <BotActions bot={bot} onDeleted={onClose} />
        <EditBotForm key={bot.id} bot={bot} />
        <DeliveriesList botId={bot.id} />
      </div>
    </SidePanel>
  );
}
