/** The event type badge: one colour per type, the same everywhere (styles.css `--t-*`). */
import { isEventType } from '../lib/event-types';

export function TypeBadge({ type }: { type: string }) {
  const known = isEventType(type);
  return (
    <span className={`badge ${known ? `t-${type}` : ''}`} data-type={type}>
      {type}
    </span>
  );
}

export function StatusPill({
  tone,
  children,
}: {
  tone: 'good' | 'bad' | 'warn' | 'neutral';
  children: string;
}) {
  return <span className={`pill ${tone}`}>{children}</span>;
}
