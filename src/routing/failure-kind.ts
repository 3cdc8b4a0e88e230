import {
  InvalidModelOutputError,
  ModelCallAbortedError,
  ModelRequestRejectedError,
  ModelUnavailableError,
} from '../agents/model/model.errors';

/**
 * Whose fault a failed turn is, which decides what happens to its texts:
 * - `outage`: the model (or something else outside the text) is down or slow. The text waits with
 *   capped backoff for as long as the outage budget (MODEL_OUTAGE_BUDGET_MS) allows; attempts
 *   during an outage are not charged to it.
 * - `config`: the API refuses our credentials or configuration (401, 403, 404). The operator's
 *   fault: the text waits, never dead; the instance reports degraded and alerts.
 * - `own`: the text fails on its own (unusable model output for it, a request the API rejects as
 *   invalid, a bug on its path). Charged to the text: dead after MAX_ATTEMPTS such failures.
 */
export type FailureKind = 'outage' | 'config' | 'own';

/** Why an item that died of a failure of `kind` is dead (only `own` and `outage` failures kill). */
export function deadReasonOf(kind: FailureKind): 'failed_every_attempt' | 'outage_budget_exhausted' {
  return kind === 'outage' ? 'outage_budget_exhausted' : 'failed_every_attempt';
}

/**
 * How the stored error of an item dead after the outage budget begins (`messages.last_error`,
 * `events.last_error`, `event_dead_letters.error_message`), like `bad input: ` and `malformed event: `.
 */
export const OUTAGE_BUDGET_EXHAUSTED_PREFIX = 'outage budget exhausted: ';

const CONFIG_STATUSES = new Set([401, 403, 404]);

export function failureKind(error: unknown): FailureKind {
  if (error instanceof ModelRequestRejectedError) return CONFIG_STATUSES.has(error.status) ? 'config' : 'own';
  if (error instanceof InvalidModelOutputError) return 'own';
  if (error instanceof ModelUnavailableError || error instanceof ModelCallAbortedError) return 'outage';
  // The database or the network on the way to it: nothing about the text.
  if (isConnectionError(error)) return 'outage';
  return 'own';
}

// Connection failures, and a statement or lock timeout (a blocked row, a slow database).
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '08006',
  '57014',
  '55P03',
]);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout/.test(error.message);
}
