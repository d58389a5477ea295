/**
 * The postback tester: paste a postback URL (full, or `/postback/<source>?…`) and see what the
 * endpoint would do with it — every step and the verdict — without storing anything. A POST body
 * and the sender's address (for sources with an IP allow-list) are optional.
 */
import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../../api/client';
import { errorText } from '../../ui/states';
import { CheckResult } from './check-result';
import { type PostbackCheckRequest, usePostbackCheck } from './queries';

const CONTENT_TYPES = [
  { value: '', label: 'Detect (JSON if it starts with {)' },
  { value: 'application/x-www-form-urlencoded', label: 'Form (a=1&b=2)' },
  { value: 'application/json', label: 'JSON' },
] as const;
type ContentType = (typeof CONTENT_TYPES)[number]['value'];

function requestOf(url: string, body: string, contentType: ContentType, ip: string): PostbackCheckRequest {
  return {
    url: url.trim(),
    ...(body.trim() === '' ? {} : { method: 'POST' as const, body }),
    ...(body.trim() !== '' && contentType !== '' ? { contentType } : {}),
    ...(ip.trim() === '' ? {} : { ip: ip.trim() }),
  };
}

export function PostbackTester() {
  const id = useId();
  const check = usePostbackCheck();
  const [url, setUrl] = useState('');
  const [body, setBody] = useState('');
  const [contentType, setContentType] = useState<ContentType>('');
  const [ip, setIp] = useState('');
  const errorField = check.error instanceof ApiError ? check.error.field : undefined;
  const [optionsOpen, setOptionsOpen] = useState(false);
  const showOptions = optionsOpen || (errorField !== undefined && errorField !== 'url');

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    check.mutate(requestOf(url, body, contentType, ip));
  };
  const invalid = (field: string) =>
    errorField === field ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="postback-tester">
      <div className="card-head">
        <h2 id={`${id}-title`}>Postback tester</h2>
        <span className="muted rj-small">Runs every step but the write: nothing is stored.</span>
      </div>
      <form className="card-body form" onSubmit={submit}>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-url`}>
            Postback URL
          </label>
          <textarea
            id={`${id}-url`}
            className="input rj-textarea mono"
            rows={2}
            required
            spellCheck={false}
            value={url}
            placeholder="https://panel.example.com/postback/referon?key=…&event_type=reg&brand=…  or  /postback/referon?…"
            onChange={(e) => setUrl(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
            }}
            {...invalid('url')}
          />
        </div>
        <details
          className="rj-options"
          open={showOptions}
          onToggle={(e) => setOptionsOpen(e.currentTarget.open)}
        >
          <summary>Options: POST body, sender address</summary>
          <div className="rj-options-grid">
            <label className="field rj-span">
              <span>POST body (leave empty for a GET)</span>
              <textarea
                className="input rj-textarea mono"
                rows={3}
                spellCheck={false}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                {...invalid('body')}
              />
            </label>
            <label className="field">
              <span>Body type</span>
              <select
                className="select"
                value={contentType}
                onChange={(e) => setContentType(e.target.value as ContentType)}
                {...invalid('contentType')}
              >
                {CONTENT_TYPES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Sender IP (for allow-lists)</span>
              <input
                className="input"
                value={ip}
                placeholder="e.g. 203.0.113.7"
                onChange={(e) => setIp(e.target.value)}
                {...invalid('ip')}
              />
            </label>
          </div>
        </details>
        <div className="toolbar">
          <button type="submit" className="btn btn-primary" disabled={check.isPending}>
            {check.isPending ? 'Checking…' : 'Check postback'}
          </button>
          <span className="muted rj-small">Ctrl+Enter in the URL box also checks.</span>
        </div>
        {check.isError ? (
          <p className="form-error" role="alert" id={`${id}-error`} data-testid="check-error">
            {errorField ? `${errorField}: ` : ''}
            {errorText(check.error)}
          </p>
        ) : null}
      </form>
      <div aria-live="polite" className="card-body rj-result-wrap">
        {check.data && !check.isError ? <CheckResult r={check.data} /> : null}
      </div>
    </section>
  );
}
