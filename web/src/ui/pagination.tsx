/** Page buttons: first/previous/next/last around a sliding window of at most 7 page numbers. */

/** At most 7 page numbers centred on `page` (the server sends the same as `window`). */
export function pageWindow(page: number, pages: number, size = 7): number[] {
  if (pages <= 0) return [];
  const count = Math.min(size, pages);
  let start = Math.max(1, page - Math.floor(count / 2));
  start = Math.min(start, pages - count + 1);
  return Array.from({ length: count }, (_, i) => start + i);
}

export function Pagination({
  page,
  pages,
  onPage,
  summary,
  window,
}: {
  page: number;
  pages: number;
  onPage: (page: number) => void;
  summary?: string;
  /** The server's window of page numbers, when it sends one. */
  window?: number[];
}) {
  const numbers = window && window.length > 0 ? window.slice(0, 7) : pageWindow(page, pages);
  return (
    <div className="pager">
      <span className="muted">{summary}</span>
      {pages > 1 ? (
        <nav aria-label="Pages">
          <button
            type="button"
            className="btn edge"
            onClick={() => onPage(1)}
            disabled={page <= 1}
            aria-label="First page"
          >
            «
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => onPage(page - 1)}
            disabled={page <= 1}
            aria-label="Previous page"
          >
            ‹
          </button>
          {numbers.map((n) => (
            <button
              key={n}
              type="button"
              className="btn"
              aria-current={n === page ? 'page' : undefined}
              aria-label={`Page ${n}`}
              onClick={() => onPage(n)}
            >
              {n}
            </button>
          ))}
          <button
            type="button"
            className="btn"
            onClick={() => onPage(page + 1)}
            disabled={page >= pages}
            aria-label="Next page"
          >
            ›
          </button>
          <button
            type="button"
            className="btn edge"
            onClick={() => onPage(pages)}
            disabled={page >= pages}
            aria-label="Last page"
          >
            »
          </button>
        </nav>
      ) : null}
    </div>
  );
}
