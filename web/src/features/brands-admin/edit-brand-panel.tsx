/**
 * The brand edit panel: rename (display name only; the slug postbacks use stays), and block or
 * unblock with an explicit confirmation step that says what blocking does.
 */
import { type FormEvent, useState } from 'react';
import { formatUtc } from '../../lib/format';
import { StatusPill } from '../../ui/badge';
import { SidePanel } from '../../ui/side-panel';
import { errorText } from '../../ui/states';
import { type AdminBrand, useUpdateBrand } from './brands-admin-api';
import { plural } from './plural';

function BlockControl({ brand }: { brand: AdminBrand }) {
  const [confirming, setConfirming] = useState(false);
  const update = useUpdateBrand(brand.slug);
  const next = !brand.blocked;
  const slugs = [brand.slug, ...brand.aliases].join(', ');
  if (!confirming)
    return (
      <div className="field">
        <span>Postbacks</span>
        <div className="toolbar">
          <StatusPill tone={brand.blocked ? 'bad' : 'good'}>
            {brand.blocked ? 'BLOCKED' : 'ACCEPTED'}
          </StatusPill>
          <button
            type="button"
            className={`btn ${brand.blocked ? '' : 'btn-danger'}`}
            onClick={() => setConfirming(true)}
          >
            {brand.blocked ? 'Unblock brand…' : 'Block brand…'}
          </button>
        </div>
      </div>
    );
  return (
    <fieldset className="field ba-confirm">
      <legend className="field-label">{next ? 'Block this brand?' : 'Unblock this brand?'}</legend>
      <p className="note">
        {next
          ? `From now on, postbacks for ${slugs} are rejected (403, "brand blocked") and listed under Rejections. Events already stored stay counted.`
          : `Postbacks for ${slugs} are accepted again from now on. Postbacks rejected while blocked are not restored.`}
      </p>
      <div className="toolbar">
        <button
          type="button"
          className={`btn ${next ? 'btn-danger' : 'btn-primary'}`}
          disabled={update.isPending}
          onClick={() => update.mutate({ blocked: next }, { onSuccess: () => setConfirming(false) })}
        >
          {next ? 'Confirm block' : 'Confirm unblock'}
        </button>
        <button type="button" className="btn" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
      {update.isError ? (
        <p className="form-error" role="alert">
          {errorText(update.error)}
        </p>
      ) : null}
    </fieldset>
  );
}

function RenameForm({ brand }: { brand: AdminBrand }) {
  const [name, setName] = useState(brand.name);
  const update = useUpdateBrand(brand.slug);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    update.mutate({ name });
  };
  const unchanged = name.trim() === brand.name;
  return (
    <form className="form" onSubmit={submit}>
      <label className="field">
        <span>Display name</span>
        <input
          className="input"
          name="name"
          value={name}
          maxLength={64}
          required
          onChange={(e) => setName(e.target.value)}
        />
      </label>
      <div className="toolbar">
        <button type="submit" className="btn btn-primary" disabled={update.isPending || unchanged}>
          Save name
        </button>
        {update.isSuccess && unchanged ? (
          <span className="muted" role="status">
            Saved.
          </span>
        ) : null}
      </div>
      {update.isError ? (
        <p className="form-error" role="alert">
          {errorText(update.error)}
        </p>
      ) : null}
    </form>
  );
}

export function EditBrandPanel({ brand, onClose }: { brand: AdminBrand; onClose: () => void }) {
  return (
    <SidePanel title={brand.name} label={`Edit brand ${brand.slug}`} onClose={onClose}>
      <div className="form ba-panel-form">
        <p className="muted">
          Slug <code className="mono">{brand.slug}</code> · {plural(brand.events, 'event', 'events')} · last{' '}
          {brand.lastEventAt ? formatUtc(brand.lastEventAt) : 'never'}
        </p>
        <RenameForm brand={brand} />
        <p className="muted ba-hint">
          The name is what the panel shows; postbacks keep using the slug, which never changes.
        </p>
        {brand.aliasOf === null ? (
          <BlockControl brand={brand} />
        ) : (
          <p className="note">
            Merged into <strong>{brand.aliasOf}</strong>: its postbacks are counted, and blocked, with that
            brand.
          </p>
        )}
        {brand.aliases.length > 0 ? (
          <div className="field">
            <span>Aliases (merged into this brand)</span>
            <span className="chips">
              {brand.aliases.map((a) => (
                <span key={a} className="chip">
                  {a}
                </span>
              ))}
            </span>
          </div>
        ) : null}
      </div>
    </SidePanel>
  );
}
