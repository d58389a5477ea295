/**
 * The one error type domain code throws. The server's error handler turns it into
 * `{ error: { code, message, field? } }` with the status below; nothing else builds error bodies.
 */

const statusByCode = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof statusByCode;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return statusByCode[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}

/** Storage could not be reached or refused the write: the caller must retry later. */
export class StorageUnavailableError extends AppError {
  constructor(message = 'storage unavailable, retry later', retryAfterSeconds = 5) {
    super('unavailable', message, { headers: { 'retry-after': String(retryAfterSeconds) } });
    this.name = 'StorageUnavailableError';
  }
}
