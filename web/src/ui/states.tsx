/**
 * Loading, empty and error states. Skeletons take the size of what they stand for, so nothing
 * jumps when data arrives; empty states say what to do; errors offer a retry.
 */
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { AlertIcon, SearchIcon } from './icons';

export function Skeleton({
  height = 14,
  width = '100%',
  className = '',
}: {
  height?: number | string;
  width?: number | string;
  className?: string;
}) {
  return <span className={`skeleton ${className}`} style={{ display: 'block', height, width }} aria-hidden />;
}

/** Rows of grey bars in a table-shaped box. */
export function TableSkeleton({ rows = 8, columns = 6 }: { rows?: number; columns?: number }) {
  return (
    <div className="table-wrap" aria-busy="true">
      <span className="sr-only">Loading…</span>
      <table className="data">
        <tbody>
          {Array.from({ length: rows }, (_, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
            <tr key={r}>
              {Array.from({ length: columns }, (_, c) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
                <td key={c}>
                  <Skeleton height={13} width={c === 0 ? '80%' : '60%'} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function EmptyState({
  title,
  children,
  icon = <SearchIcon />,
}: {
  title: string;
  children?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="state" data-state="empty">
      <div className="icon">{icon}</div>
      <h2>{title}</h2>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'something went wrong';
}

export function ErrorState({
  error,
  onRetry,
  title = 'Could not load this',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="state error" role="alert" data-state="error">
      <div className="icon">
        <AlertIcon />
      </div>
      <h2>{title}</h2>
      <p>{errorText(error)}</p>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          ↺ Retry
        </button>
      ) : null}
    </div>
  );
}
