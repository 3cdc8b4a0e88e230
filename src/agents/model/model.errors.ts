/**
 * Failures of a model call. All are thrown out of the turn: the engine retries it with backoff and
 * after its last attempt marks it dead with a fallback text.
 */

/** The model answered, but not with anything usable (no forced tool call, wrong types, empty prose). */
export class InvalidModelOutputError extends Error {
  constructor(
    message: string,
    readonly purpose?: string,
  ) {
    super(purpose ? `${purpose}: ${message}` : message);
    this.name = 'InvalidModelOutputError';
  }
}

/** The model could not be reached in time (timeout, overload, rate limit, 5xx) after the SDK's own retries. */
export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelUnavailableError';
  }
}

/** The turn's signal fired (shutdown or the engine's turn timeout) while the model was working. */
export class ModelCallAbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('model call aborted', options);
    this.name = 'ModelCallAbortedError';
  }
}

/** The API refused the request itself (400, 401, 403, 404...): a bug or a configuration problem, not load. */
export class ModelRequestRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelRequestRejectedError';
  }
}
