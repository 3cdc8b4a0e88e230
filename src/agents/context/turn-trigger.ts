import type { ReengagementCheck, StoredMessage, TurnTrigger } from './agent-context.types';

/** Content of the system row the email webhook inserts once the user's address is verified. */
export const EMAIL_VERIFIED_ACK = 'email_verified_acknowledgment';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `re_engagement_check` payload of a system row, or null when the row is something else. */
export function parseReengagementCheck(content: string): ReengagementCheck | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || parsed.type !== 're_engagement_check') return null;
  // The task processor writes attemptCount; anything unusable counts as the first attempt.
  const attempt = parsed.attemptCount;
  const attemptCount = typeof attempt === 'number' && Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
  const step = parsed.currentStep ?? parsed.current_step;
  const missing = parsed.missingFields ?? parsed.missing_fields;
  return {
    attemptCount,
    currentStep: typeof step === 'string' ? step : null,
    missingFields: Array.isArray(missing) ? missing.filter((f): f is string => typeof f === 'string') : [],
  };
}

/**
 * Dispatch: user texts → normal path; system `email_verified_acknowledgment` → normal
 * path; system `re_engagement_check` JSON → re-engagement path; any other system row → silent.
 * A burst mixing them is one turn: a user text wins (the user is here, a nudge is moot), then the
 * acknowledgment, then the latest re-engagement check.
 */
export function classifyTurn(messages: readonly StoredMessage[]): TurnTrigger {
  const userTexts = messages.filter((m) => m.role === 'user').map((m) => m.content);
  const system = messages.filter((m) => m.role === 'system');
  const emailVerifiedAck = system.some((m) => m.content.trim() === EMAIL_VERIFIED_ACK);
  if (userTexts.length > 0 || emailVerifiedAck) return { kind: 'message', userTexts, emailVerifiedAck };
  const checks = system.map((m) => parseReengagementCheck(m.content)).filter((c) => c !== null);
  if (checks.length > 0) return { kind: 're_engagement', check: checks[checks.length - 1] };
  const roles = [...new Set(messages.map((m) => m.role))].join(', ');
  return { kind: 'silent', reason: `no user text and no actionable system row (roles: ${roles || 'none'})` };
}
