/**
 * How a bot's parts read in the table and the panel: status, health (online / offline with the
 * reason / a pulsing grey dot while the first check runs), scope chips (amber when an affiliate
 * filter is active), a delivery's status, and the last delivery with the recent failures.
 */
import { formatUtc, timeAgo } from '../../lib/format';
import { StatusPill, TypeBadge } from '../../ui/badge';
import type { DeliveryStatus, PublicBot, PublicDelivery } from './bots-api';

export function StatusCell({ bot }: { bot: PublicBot }) {
  return (
    <StatusPill tone={bot.status === 'active' ? 'good' : 'neutral'}>{bot.status.toUpperCase()}</StatusPill>
  );
}

function healthLabel(bot: PublicBot): { tone: string; text: string } {
  if (bot.health.status === 'online') return { tone: 'online', text: 'online' };
  if (bot.health.status === 'offline') return { tone: 'offline', text: 'offline' };
  return bot.status === 'active'
    ? { tone: 'checking', text: 'checking' }
    : { tone: 'unknown', text: 'not checked' };
}

export function HealthCell({ bot, detailed = false }: { bot: PublicBot; detailed?: boolean }) {
  const { tone, text } = healthLabel(bot);
  const checked = bot.health.checkedAt ? `checked ${formatUtc(bot.health.checkedAt)}` : 'not checked yet';
  return (
    <span className="bot-health" data-health={bot.health.status} title={checked}>
      <span className={`health-dot ${tone}`} aria-hidden />
      {text}
      {bot.health.username ? <span className="muted"> @{bot.health.username}</span> : null}
      {bot.health.error ? (
        <span className="bot-error" title={bot.health.error}>
          {bot.health.error}
        </span>
      ) : null}
      {detailed ? (
        <span className="muted bot-checked">
          {bot.health.checkedAt ? ` · ${timeAgo(bot.health.checkedAt)}` : ''}
        </span>
      ) : null}
    </span>
  );
}

export function ScopeCell({ bot }: { bot: PublicBot }) {
  const { brands, sources, affiliates, types, testEvents } = bot.scope;
  return (
    <div className="chips bot-scope-chips">
      {brands.length === 0 ? (
        <span className="chip muted">All brands</span>
      ) : (
        brands.map((b) => (
          <span key={`b-${b}`} className="chip">
            {b}
          </span>
        ))
      )}
      {sources.map((s) => (
        <span key={`s-${s}`} className="chip" title="source">
          src: {s}
        </span>
      ))}
      {affiliates.map((a) => (
        <span key={`a-${a}`} className="chip chip-affiliate" title="affiliate filter">
          aff: {a}
        </span>
      ))}
      {types.length === 0 ? (
        <span className="chip muted">All types</span>
      ) : (
        types.map((t) => <TypeBadge key={t} type={t} />)
      )}
      {testEvents === 'exclude' ? null : (
        <span className="chip">{testEvents === 'only' ? 'test events only' : '+ test events'}</span>
      )}
    </div>
  );
}

const DELIVERY_TONE: Record<DeliveryStatus, 'good' | 'bad' | 'warn' | 'neutral'> = {
  sent: 'good',
  digested: 'good',
  failed: 'bad',
  pending: 'warn',
  sending: 'warn',
  cancelled: 'neutral',
};

export function DeliveryPill({ status }: { status: DeliveryStatus }) {
  return <StatusPill tone={DELIVERY_TONE[status]}>{status.toUpperCase()}</StatusPill>;
}

/** The newest delivery, and how many of the last ones failed, with the newest failure's reason. */
export function LastDeliveryCell({ deliveries }: { deliveries: PublicDelivery[] | undefined }) {
  if (deliveries === undefined) return <span className="muted">…</span>;
  const last = deliveries[0];
  if (!last) return <span className="muted">none yet</span>;
  const failed = deliveries.filter((d) => d.status === 'failed');
  const at = last.finishedAt ?? last.createdAt;
  return (
    <span className="bot-last">
      <DeliveryPill status={last.status} />{' '}
      <time dateTime={at} title={formatUtc(at)}>
        {timeAgo(at)}
      </time>
      {failed.length > 0 ? (
        <span className="bot-error" title={failed[0]?.error ?? undefined}>
          {failed.length} failed of last {deliveries.length}: {failed[0]?.error ?? 'no reason given'}
        </span>
      ) : null}
    </span>
  );
}
