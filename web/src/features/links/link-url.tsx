/**
 * A postback URL as text, with the platform's placeholders in the tag colour and the key dimmed,
 * and a copy button. The text copied is exactly the server's URL, never the rendering.
 */
import { useEffect, useState } from 'react';
import { copyText } from '../../lib/clipboard';
import type { GeneratedLink } from './links-api';

function splitPair(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  return eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
}

export function LinkText({ link }: { link: GeneratedLink }) {
  const q = link.url.indexOf('?');
  const base = q === -1 ? link.url : link.url.slice(0, q);
  const pairs = q === -1 ? [] : link.url.slice(q + 1).split('&');
  const macros = new Set(link.params.filter((p) => p.kind === 'macro').map((p) => `${p.name}=${p.value}`));
  return (
    <code className="link-url" data-testid="link-url">
      {base}
      {pairs.map((pair, i) => {
        const [name, value] = splitPair(pair);
        const kind = macros.has(pair) ? 'macro' : name === 'key' ? 'key' : 'static';
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a URL's parameters keep their order
          <span key={i}>
            {i === 0 ? '?' : '&'}
            <span className="link-name">{name}</span>=<span className={`link-${kind}`}>{value}</span>
          </span>
        );
      })}
    </code>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () => {
    void copyText(text).then((copied) => setState(copied ? 'copied' : 'failed'));
  };
  return (
    <button type="button" className="btn" onClick={copy} aria-label={label} data-testid="copy-url">
      {state === 'copied' ? 'Copied ✓' : state === 'failed' ? 'Copy failed: select the text' : 'Copy'}
      <span className="sr-only" aria-live="polite">
        {state === 'copied' ? 'copied to the clipboard' : ''}
      </span>
    </button>
  );
}
