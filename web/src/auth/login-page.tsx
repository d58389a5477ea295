/**
 * The login page: the Telegram Login Widget when the server has a login bot, otherwise how to use
 * the one-time link the server prints. Someone already logged in goes straight to the panel.
 */
import { useEffect, useRef } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { useAuthConfig, useMe } from './use-me';

function TelegramWidget({ botName }: { botName: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const script = document.createElement('script');
    script.src = 'https://telegram.org/js/telegram-widget.js?22';
    script.async = true;
    script.dataset.telegramLogin = botName;
    script.dataset.size = 'large';
    script.dataset.radius = '6';
    script.dataset.requestAccess = 'write';
    script.dataset.authUrl = `${window.location.origin}/auth/telegram/callback`;
    target.appendChild(script);
    return () => {
      target.replaceChildren();
    };
  }, [botName]);
  return <div ref={box} data-testid="telegram-widget" style={{ minHeight: 44 }} />;
}

/** Only same-site paths: `next` must not send anyone elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const me = useMe();
  const config = useAuthConfig();
  const [search] = useSearchParams();
  if (me.data && me.data.user.status === 'approved')
    return <Navigate to={safeNext(search.get('next'))} replace />;
  if (me.data) return <Navigate to="/" replace />;
  const botName = config.data?.telegramBotName ?? null;
  return (
    <main className="center-page">
      <div className="login-card" data-testid="login-page">
        <div className="brand-mark">
          <span className="logo">A</span>
          <div>
            AFFPanel<small>S2S GALAXY BACKOFFICE</small>
          </div>
        </div>
        <h1>Log in</h1>
        {config.isPending ? (
          <p className="muted">Loading…</p>
        ) : botName ? (
          <>
            <p className="muted">
              Log in with your Telegram account. A first login waits for an admin’s approval.
            </p>
            <TelegramWidget botName={botName} />
            <p className="muted" style={{ fontSize: 12 }}>
              No button above? Telegram may be blocked on this network: ask an admin for a one-time login link
              (<code>npx affpanel user link &lt;user&gt;</code>).
            </p>
          </>
        ) : (
          <div className="note" data-testid="link-note">
            Telegram login is not set up on this server. Open the one-time login link the server prints when
            it starts (<code>/auth/link/…</code>), or ask an admin for one:{' '}
            <code>npx affpanel user link &lt;user&gt;</code>.
          </div>
        )}
        <p className="muted" style={{ fontSize: 12 }}>
          Sessions end after a day without use. Every login is recorded in the audit log.
        </p>
      </div>
    </main>
  );
}
