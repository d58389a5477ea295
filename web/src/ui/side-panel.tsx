/**
 * A right-side panel over a backdrop: closed by the backdrop, the × button or Escape. Focus moves
 * into the panel when it opens and back to where it was when it closes.
 */
import { type ReactNode, useEffect, useRef } from 'react';

export function SidePanel({
  title,
  onClose,
  children,
  label,
}: {
  title: ReactNode;
  label: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, [onClose]);
  return (
    <>
      <div className="backdrop" data-testid="backdrop" onClick={onClose} aria-hidden />
      <div
        className="side-panel"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        ref={panel}
        tabIndex={-1}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div className="body">{children}</div>
      </div>
    </>
  );
}
