/**
 * How the command line fails: exit 2 for bad usage (a missing or invalid argument, an invalid
 * configuration, an unknown template), exit 1 for everything else. Every error is printed as one
 * line; the stack only with `--verbose`.
 */
import { ConfigError } from '../config.js';
import { AppError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A wrong argument or option value: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT_USAGE;
  if (error instanceof AppError && error.code === 'bad_request') return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** The error as one line: multi-line messages are joined, an empty message falls back to its code. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let message = error.message;
  // pg reports a refused connection to every address of a host as an AggregateError without a message.
  if (message === '' && error instanceof AggregateError) {
    message = error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  if (message === '') message = (error as NodeJS.ErrnoException).code ?? error.name;
  return message
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join('; ')
    .replace(/:;/g, ':');
}
