/** Stand-in for a page of issue 6 that is not built yet: says so, instead of a blank screen. */
import { ToolIcon } from './icons';
import { EmptyState } from './states';

export function NotBuiltYet({ page, detail }: { page: string; detail?: string }) {
  return (
    <div className="card" data-testid="not-built">
      <EmptyState title={`${page} is not built yet`} icon={<ToolIcon />}>
        {detail ?? 'This page of the panel is still being built; its API is ready under /api/v1.'}
      </EmptyState>
    </div>
  );
}
