/**
 * A source key shown once (after Add network or Rotate key): the key and the postback URL, each
 * with a copy button, and a note that this page will not show it again (the Link Generator does). Where the clipboard is not
 * available, Copy selects the text so the admin can copy it by hand.
 */
import { useRef, useState } from 'react';
import { copyText } from '../../lib/clipboard';
import { formatUtc } from '../../lib/format';
import type { KeyAnswer } from './sources-admin-api';

function CopyBox({ label, value, testId }: { label: string; value: string; testId: string }) {
  const code = useRef<HTMLElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'selected'>('idle');
  const copy = () => {
    const selectText = () => {
      const selection = window.getSelection();
      if (code.current && selection) {
        selection.selectAllChildren(code.current);
        setState('selected');
      }
    };
    void copyText(value).then((copied) => (copied ? setState('copied') : selectText()));
  };
  return (
    <div className="field">
      <span>{label}</span>
      <div className="token-box">
        <code ref={code} data-testid={testId}>
          {value}
        </code>
        <button type="button" className="btn" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
          {state === 'copied' ? 'Copied' : state === 'selected' ? 'Selected' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

export function KeyReveal({ answer, rotated }: { answer: KeyAnswer; rotated: boolean }) {
  const hmac = answer.source.authMode === 'hmac';
  const graceUntil = answer.previousKeyValidUntil ?? null;
  return (
    <div className="src-reveal" data-testid="key-reveal">
      <div className="note" role="status">
        <strong>This is the only time the full key is shown here.</strong> Copy it now and store it securely:
        this page shows only its first characters from now on. The Link Generator writes the full postback
        URLs, key included, whenever an admin needs them again.
      </div>
      <CopyBox label="Source key" value={answer.key} testId="new-key" />
      <CopyBox label="Postback URL" value={answer.postbackUrl} testId="new-postback-url" />
      {hmac ? (
        <p className="src-hint">
          This source signs its requests: the key is the HMAC secret, sent in no URL. The network signs with
          the headers <code>X-AffPanel-Timestamp</code> and <code>X-AffPanel-Signature</code>.
        </p>
      ) : null}
      {rotated ? (
        <p className="src-hint" data-testid="grace-note">
          {graceUntil
            ? `The old key keeps working until ${formatUtc(graceUntil)}: update the network before then.`
            : 'The old key stopped working now (no grace period is configured).'}
        </p>
      ) : null}
    </div>
  );
}
