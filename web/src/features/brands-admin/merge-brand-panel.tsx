/**
 * The merge dialog: pick the brand an alias really is, see what will move (its events, its own
 * aliases, the target's total afterwards, a block that will apply), acknowledge that a merge is
 * final, merge. The server re-checks everything in the merge's transaction.
 */
import { type FormEvent, useId, useMemo, useState } from 'react';
import { formatCount } from '../../lib/format';
import { SidePanel } from '../../ui/side-panel';
import { errorText } from '../../ui/states';
import { type AdminBrand, type MergeResult, useMergeBrand } from './brands-admin-api';
import { plural } from './plural';

function matches(b: AdminBrand, needle: string): boolean {
  return b.slug.includes(needle) || b.name.toLowerCase().includes(needle);
}

function Preview({ source, target }: { source: AdminBrand; target: AdminBrand }) {
  const followers = source.aliases;
  return (
    <div className="note ba-preview" data-testid="merge-preview" aria-live="polite">
      <p>
        <strong>{plural(source.events, 'event', 'events')}</strong> of{' '}
        <code className="mono">{source.slug}</code> will move to <code className="mono">{target.slug}</code>,
        which then counts{' '}
        <strong data-testid="merge-total">{formatCount(source.events + target.events)}</strong> events (now{' '}
        {formatCount(target.events)}). Every page shows them under {target.name}.
      </p>
      <p>
        New postbacks for <code className="mono">{[source.slug, ...followers].join(', ')}</code> are counted
        under <code className="mono">{target.slug}</code>
        {followers.length > 0
          ? ` (${followers.join(', ')} already merged into ${source.slug} follow along)`
          : ''}
        .
      </p>
      {target.blocked ? (
        <p className="ba-warn">
          {target.slug} is blocked: postbacks for {source.slug} will be rejected from then on.
        </p>
      ) : null}
    </div>
  );
}

function Done({ result, onClose }: { result: MergeResult; onClose: () => void }) {
  return (
    <div className="form ba-panel-form" role="status">
      <p className="note">
        Merged <code className="mono">{result.merged}</code> into{' '}
        <code className="mono">{result.brand.slug}</code>: {plural(result.moved.events, 'event', 'events')}{' '}
        moved
        {result.moved.aliases.length > 0 ? `, aliases ${result.moved.aliases.join(', ')} moved along` : ''}.{' '}
        {result.brand.slug} now counts {plural(result.brand.events, 'event', 'events')}.
      </p>
      <div className="toolbar">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}

export function MergeBrandPanel({
  source,
  brands,
  onClose,
}: {
  source: AdminBrand;
  brands: AdminBrand[];
  onClose: () => void;
}) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const [into, setInto] = useState('');
  const [understood, setUnderstood] = useState(false);
  const merge = useMergeBrand(source.slug);
  const targets = useMemo(
    () => brands.filter((b) => b.aliasOf === null && b.slug !== source.slug),
    [brands, source.slug],
  );
  const needle = filter.trim().toLowerCase();
  const shown = targets.filter((b) => needle === '' || matches(b, needle) || b.slug === into);
  const target = targets.find((b) => b.slug === into);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (target) merge.mutate(target.slug);
  };
  return (
    <SidePanel title={`Merge ${source.slug}`} label={`Merge brand ${source.slug}`} onClose={onClose}>
      {merge.data ? (
        <Done result={merge.data} onClose={onClose} />
      ) : (
        <form className="form ba-panel-form" onSubmit={submit}>
          <p className="muted">
            Merge <code className="mono">{source.slug}</code> when it is another spelling of a brand (e.g.{' '}
            <code className="mono">brit-sino</code> → <code className="mono">britsino</code>): its past and
            future events count under the brand you pick.
          </p>
          {source.blocked ? (
            <p className="note ba-warn" role="alert">
              {source.slug} is blocked. Unblock it before merging: after a merge its postbacks follow the
              target.
            </p>
          ) : null}
          <label className="field">
            <span>Find the target brand</span>
            <input
              className="input"
              type="search"
              value={filter}
              placeholder="slug or name"
              onChange={(e) => setFilter(e.target.value)}
            />
          </label>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-into`}>
              Merge into
            </label>
            <select
              id={`${id}-into`}
              className="select ba-targets"
              size={Math.min(8, Math.max(2, shown.length + 1))}
              value={into}
              onChange={(e) => setInto(e.target.value)}
              required
            >
              <option value="" disabled>
                {shown.length === 0 ? 'No brand matches' : 'Pick a brand…'}
              </option>
              {shown.map((b) => (
                <option key={b.slug} value={b.slug}>
                  {b.slug === b.name ? b.slug : `${b.slug} — ${b.name}`} (
                  {plural(b.events, 'event', 'events')}){b.blocked ? ' · blocked' : ''}
                </option>
              ))}
            </select>
          </div>
          {target ? <Preview source={source} target={target} /> : null}
          <label className="check">
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />A
            merge cannot be undone
          </label>
          {merge.isError ? (
            <p className="form-error" role="alert">
              {errorText(merge.error)}
            </p>
          ) : null}
          <div className="toolbar">
            <button
              type="submit"
              className="btn btn-danger"
              disabled={!target || !understood || source.blocked || merge.isPending}
            >
              {target ? `Merge into ${target.slug}` : 'Merge'}
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
