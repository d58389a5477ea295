/**
 * The small "Live" mark beside a list that follows new events: a green dot while the server
 * pushes, a grey one while connecting or paused, a red one while it cannot be reached. The state
 * is also said in words (for screen readers and on hover), never by colour alone.
 */
import type { LiveStatus } from '../../lib/live';
import './live.css';

const LABELS: Record<LiveStatus, { text: string; title: string }> = {
  live: { text: 'Live', title: 'New events appear as they arrive' },
  connecting: { text: 'Connecting…', title: 'Connecting to the live stream' },
  paused: { text: 'Paused', title: 'Paused while the tab is hidden' },
  offline: { text: 'Offline', title: 'The live stream is unavailable; retrying. Use ↺ to refresh.' },
};

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const label = LABELS[status];
  return (
    <span
      className={`live-indicator ${status}`}
      title={label.title}
      data-testid="live-indicator"
      data-status={status}
    >
      <span className="live-dot" aria-hidden="true" />
      {label.text}
    </span>
  );
}
