/**
 * "Add network": slug, name, platform template (picking one pre-fills the parameter names below),
 * authentication, currency, allow-list and mappings. On success the panel shows the new key once.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { SidePanel } from '../../ui/side-panel';
import { errorText } from '../../ui/states';
import { KeyReveal } from './key-reveal';
import { draftFrom, errorFor, type MappingDraft, mappingChanges } from './mapping-draft';
import { FormRow, MappingFields } from './mapping-fields';
import { AuthModeField } from './source-settings';
import { type KeyAnswer, type TemplatesAnswer, useCreateSource } from './sources-admin-api';

export function AddSourcePanel({ templates, onClose }: { templates: TemplatesAnswer; onClose: () => void }) {
  const first = templates.templates[0];
  const [templateId, setTemplateId] = useState(first?.id ?? 'generic');
  const template = templates.templates.find((x) => x.id === templateId) ?? first;
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [authMode, setAuthMode] = useState<'key' | 'hmac'>('key');
  const [draft, setDraft] = useState<MappingDraft | null>(() =>
    first ? draftFrom(first, templates.fields) : null,
  );
  const [created, setCreated] = useState<KeyAnswer | null>(null);
  const create = useCreateSource();
  const error = create.error;

  const pickTemplate = (id: string) => {
    const next = templates.templates.find((x) => x.id === id);
    if (!next || !draft) return;
    setTemplateId(id);
    // The parameter names follow the template; what else was typed stays.
    setDraft({ ...draft, params: draftFrom(next, templates.fields).params });
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!template || !draft) return;
    create.mutate(
      {
        slug: slug.trim(),
        template: template.id,
        authMode,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...mappingChanges(draft, template),
      },
      { onSuccess: setCreated },
    );
  };

  if (created)
    return (
      <SidePanel title={`${created.source.name} added`} label="Network added" onClose={onClose}>
        <div className="form">
          <KeyReveal answer={created} rotated={false} />
          <div className="toolbar">
            <button type="button" className="btn btn-primary" onClick={onClose}>
              Done
            </button>
            <Link className="btn" to={`/links?source=${encodeURIComponent(created.source.slug)}`}>
              Open in Link Generator
            </Link>
          </div>
        </div>
      </SidePanel>
    );

  return (
    <SidePanel title="Add network" label="Add network" onClose={onClose}>
      {!template || !draft ? (
        <p className="muted">No platform templates are available.</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <FormRow
            label="Slug"
            hint={
              <>
                Part of the postback URL: <code>/postback/{slug.trim().toLowerCase() || 'slug'}</code>.
                Letters, digits, - and _. It cannot be changed later.
              </>
            }
            error={errorFor(error, 'slug')}
          >
            {(props) => (
              <input
                {...props}
                className="input"
                value={slug}
                required
                maxLength={64}
                placeholder="e.g. myaffiliates"
                autoComplete="off"
                onChange={(e) => setSlug(e.target.value)}
              />
            )}
          </FormRow>
          <FormRow
            label="Name"
            hint="Shown in the panel. Defaults to the slug in capitals."
            error={errorFor(error, 'name')}
          >
            {(props) => (
              <input
                {...props}
                className="input"
                value={name}
                maxLength={64}
                placeholder={slug.trim().toUpperCase() || 'e.g. MYAFFILIATES'}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </FormRow>
          <FormRow
            label="Platform template"
            hint={
              <details className="src-notes">
                <summary>What {template.name} assumes</summary>
                <p>{template.notes}</p>
              </details>
            }
            error={errorFor(error, 'template')}
          >
            {(props) => (
              <select
                {...props}
                className="select"
                value={template.id}
                onChange={(e) => pickTemplate(e.target.value)}
              >
                {templates.templates.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
          </FormRow>
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
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? 'Adding…' : 'Add network'}
            </button>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </SidePanel>
  );
}
