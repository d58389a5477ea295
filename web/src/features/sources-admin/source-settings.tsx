/**
 * Small pieces of the source forms: the authentication choice (key in the URL or HMAC-signed
 * requests), with what each means for the network, and the key card of the edit panel (prefix,
 * grace period, Rotate key with the new key shown once).
 */
import { useId, useState } from 'react';
import { formatUtc } from '../../lib/format';
import { errorText } from '../../ui/states';
import { KeyReveal } from './key-reveal';
import { FieldError } from './mapping-fields';
import { type AdminSource, type KeyAnswer, useEndKeyGrace, useRotateKey } from './sources-admin-api';

const AUTH_MODES = [
  { value: 'key', label: 'Key in URL' },
  { value: 'hmac', label: 'HMAC signature' },
] as const;

export function AuthModeField({
  value,
  onChange,
  error,
}: {
  value: 'key' | 'hmac';
  onChange: (value: 'key' | 'hmac') => void;
  error: string | null;
}) {
  const id = useId();
  return (
    <div className="field">
      <span id={`${id}-label`}>Authentication</span>
      <fieldset className="segmented" aria-labelledby={`${id}-label`}>
        {AUTH_MODES.map((mode) => (
          <button
            key={mode.value}
            type="button"
            aria-pressed={value === mode.value}
            onClick={() => onChange(mode.value)}
          >
            {mode.label}
          </button>
        ))}
      </fieldset>
      <span className="src-hint">
        {value === 'key'
          ? 'The network sends the key as key= in the postback URL.'
          : 'The network signs each request with the key (X-AffPanel-Timestamp and X-AffPanel-Signature headers); no key travels in the URL. Only for networks that can sign.'}
      </span>
      <FieldError message={error} id={`${id}-error`} />
    </div>
  );
}

export function KeyCard({ source, graceSeconds }: { source: AdminSource; graceSeconds: number }) {
  const rotate = useRotateKey(source.slug);
  const endGrace = useEndKeyGrace(source.slug);
  const [answer, setAnswer] = useState<KeyAnswer | null>(null);
  const graceHours = Math.round((graceSeconds / 3600) * 10) / 10;
  const inGrace = source.previousKeyValidUntil !== null;
  const confirmText =
    graceSeconds > 0
      ? `Rotate the key of ${source.name}? The current key keeps working for ${graceHours} h, then only the new one does.` +
        (inGrace
          ? ` The key rotated out before it stays valid until ${formatUtc(source.previousKeyValidUntil ?? '')}` +
            (source.olderKeyValidUntil ? '; the one before that stops now.' : '.')
          : '')
      : `Rotate the key of ${source.name}? The current key${inGrace ? ' and every rotated-out key stop' : ' stops'} working at once.`;
  return (
    <section className="src-section" aria-label="Source key">
      <h3>Key</h3>
      <dl className="fields">
        <dt>Current key</dt>
        <dd>
          <code data-testid="key-prefix">{source.keyPrefix}••••••••</code>
        </dd>
        <dt>Previous key</dt>
        <dd data-testid="previous-key">
          {source.previousKeyValidUntil
            ? `valid until ${formatUtc(source.previousKeyValidUntil)}`
            : 'none valid'}
          {source.olderKeyValidUntil
            ? `; the key before it until ${formatUtc(source.olderKeyValidUntil)}`
            : ''}
          {inGrace ? (
            <>
              {' '}
              <button
                type="button"
                className="btn-link"
                disabled={endGrace.isPending}
                onClick={() => {
                  if (
                    window.confirm(
                      `Stop every rotated-out key of ${source.name} now? Only the current key will work: a network still sending an old one gets 401.`,
                    )
                  )
                    endGrace.mutate(undefined);
                }}
              >
                End now
              </button>
            </>
          ) : null}
        </dd>
      </dl>
      {answer ? (
        <KeyReveal answer={answer} rotated />
      ) : (
        <p className="src-hint">
          Rotating makes a new key, shown once. Give the network the new URL; the old key keeps working for
          the grace period ({graceHours} h) so no postback is lost meanwhile.
        </p>
      )}
      {rotate.isError || endGrace.isError ? (
        <p className="form-error" role="alert">
          {errorText(rotate.error ?? endGrace.error)}
        </p>
      ) : null}
      <div>
        <button
          type="button"
          className="btn btn-danger"
          disabled={rotate.isPending}
          onClick={() => {
            if (window.confirm(confirmText)) rotate.mutate(undefined, { onSuccess: setAnswer });
          }}
        >
          {rotate.isPending ? 'Rotating…' : 'Rotate key'}
        </button>
      </div>
    </section>
  );
}
