/**
 * The notifier's SQLite connection has no busy timeout: better-sqlite3 waits for a lock by
 * blocking the whole thread, and this thread serves HTTP while the ingest writer (another thread
 * or connection) holds the write lock most of the time under load. So a write that finds the lock
 * taken fails at once with SQLITE_BUSY, and is tried again after a short asynchronous pause here.
 * PostgreSQL never answers BUSY; its calls pass straight through.
 */

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

export function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && BUSY_CODES.has(String(error.code));
}

/** Runs `work`, again after 1, 2, 4 … 32 ms while SQLite is busy, for up to `maxMs`. */
export async function retryBusy<T>(work: () => Promise<T>, maxMs = 15_000): Promise<T> {
  const until = Date.now() + maxMs;
  for (let pause = 1; ; pause = Math.min(pause * 2, 32)) {
    try {
      return await work();
    } catch (error) {
      if (!isBusy(error) || Date.now() + pause > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
