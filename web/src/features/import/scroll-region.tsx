/**
 * A table box that scrolls sideways on a narrow screen. It is focusable (and named), so the
 * scrolling works from the keyboard too (axe: scrollable-region-focusable).
 */
import type { ReactNode } from 'react';

export function ScrollRegion({
  label,
  className = '',
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region wider than the screen must scroll by keyboard too
    <section className={`table-wrap ${className}`} aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
