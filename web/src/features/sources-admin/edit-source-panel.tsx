/**
 * The edit panel of one source: name, active, authentication, currency, allow-list, declined
 * statuses, parameter names and event words (saved together), and the key card with rotation.
 * Slug and template are fixed: they are in the network's URLs and the stored events.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formatUtc } from '../../lib/format';
import { SidePanel } from '../../ui/side-panel';
import { errorText } from '../../ui/states';
import { draftFrom, errorFor, type MappingDraft, mappingChanges } from './mapping-draft';
import { FormRow, MappingFields } from './mapping-fields';
import { AuthModeField, KeyCard } from './source-settings';
import {
  type AdminSource,
  type SourceTemplate,
  type TemplatesAnswer,
  useUpdateSource,
} from './sources-admin-api';

/** Everything the form edits: the form starts again from the stored values when one changes. */
function editableState(s: AdminSource): string {
  return JSON.stringify([
    s.name,
    s.isActive,
    s.authMode,
    s.paramMap,
    s.eventMap,
    s.declinedStatuses,
    s.ipAllowlist,
    s.defaultCurrency,
  ]);
}

function EditForm({
  source,
  template,
  templates,
  update,
}: {
  source: AdminSource;
  template: SourceTemplate;
  templates: TemplatesAnswer;
  /** Held by the panel: the form starts again after a save, and the answer must outlive it. */
  update: ReturnType<typeof useUpdateSource>;
}) {
  const [name, setName] = useState(source.name);
  const [isActive, setIsActive] = useState(source.isActive);
  const [authMode, setAuthMode] = useState(source.authMode);
  const [draft, setDraft] = useState<MappingDraft>(() => draftFrom(template, templates.fields, source));
  const error = update.error;
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    // Both apply to the next postback: every URL the network has stops working. Say so first.
    const warnings = [
      authMode === 'hmac' && source.authMode !== 'hmac'
        ? `${source.name} will need a signature on every postback: URLs with key= stop working at once (401), and none of the built-in platforms can sign.`
        : null,
      authMode === 'key' && source.authMode === 'hmac'
        ? `${source.name} will need key= in every postback: signed requests without it stop working at once (401).`
        : null,
      !isActive && source.isActive
        ? `${source.name} will refuse every postback (404, recorded as a rejection) until it is active again.`
        : null,
    ].filter((w): w is string => w !== null);
    if (warnings.length > 0 && !window.confirm(`${warnings.join('\n\n')}\n\nSave anyway?`)) return;
    update.mutate({ name: name.trim(), isActive, authMode, ...mappingChanges(draft, template) });
  };
  return (
    <form className="form src-section" onSubmit={submit} noValidate aria-label={`Settings of ${source.name}`}>
      <h3>Settings</h3>
      <FormRow label="Name" error={errorFor(error, 'name')}>
        {(props) => (
          <input
            {...props}
            className="input"
            value={name}
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </FormRow>
      <label className="check">
        <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} />
        Active — an inactive source refuses every postback (404, recorded as a rejection)
      </label>
      <AuthModeField value={authMode} onChange={setAuthMode} error={errorFor(error, 'authMode')} />
      <MappingFields
        template={template}
        fields={templates.fields}
        eventTypes={templates.eventTypes}
        draft={draft}
        onChange={setDraft}
        error={error}
      />
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <div className="toolbar src-actions">
        <button type="submit" className="btn btn-primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

export function EditSourcePanel({
  source,
  templates,
  graceSeconds,
  onClose,
}: {
  source: AdminSource;
  templates: TemplatesAnswer;
  graceSeconds: number;
  onClose: () => void;
}) {
  const template = templates.templates.find((x) => x.id === source.template) ?? templates.templates.at(-1);
  const update = useUpdateSource(source.slug);
  return (
    <SidePanel title={source.name} label={`Edit ${source.name}`} onClose={onClose}>
      <div className="form">
        <dl className="fields">
          <dt>Slug</dt>
          <dd>
            <code>{source.slug}</code>
          </dd>
          <dt>Template</dt>
          <dd>{template?.name ?? source.template}</dd>
          <dt>Postback URL</dt>
          <dd>
            <code className="src-url">{`${source.postbackBase}${source.authMode === 'key' ? '?key=…' : ''}`}</code>
          </dd>
          <dt>Lag thresholds</dt>
          <dd>
            warning after {source.lagWarningMinutes} min, error after {source.lagErrorMinutes} min (
            <Link to="/settings">Settings</Link>)
          </dd>
          <dt>Created</dt>
          <dd>{formatUtc(source.createdAt)}</dd>
        </dl>
        <div className="toolbar">
          <Link className="btn" to={`/links?source=${encodeURIComponent(source.slug)}`}>
            Open in Link Generator
          </Link>
        </div>
        <KeyCard source={source} graceSeconds={graceSeconds} />
        {template ? (
          <EditForm
            key={editableState(source)}
            source={source}
            template={template}
            templates={templates}
            update={update}
          />
        ) : null}
        <p role="status" className="src-saved">
          {update.isSuccess ? 'Saved. Postbacks are read with the new settings from now on.' : ''}
        </p>
      </div>
    </SidePanel>
  );
}
