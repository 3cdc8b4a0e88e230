import type { ReengagementHistory } from './innovator.context';
import { MAX_UNANSWERED_NUDGES, NUDGE_SPACING_DAYS } from '../concierge/concierge-reengagement.flow';

/**
 * The Concierge's rules and constants (the Innovator uses the same): a week between
 * nudges, and three unanswered nudges within 90 days pause re-engagement until the user writes.
 */
export const NUDGE_MIN_INTERVAL_DAYS = NUDGE_SPACING_DAYS;
export { MAX_UNANSWERED_NUDGES };
export const UNANSWERED_WINDOW_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

export type ThrottleVerdict =
  | { kind: 'go' }
  /** A nudge went out less than a week ago: check again when the week is over, say nothing now. */
  | { kind: 'throttled'; retryAt: Date; lastSentAt: Date }
  /** Too many unanswered nudges: no text and no new check (the user's next text restarts them). */
  | { kind: 'paused'; unanswered: number };

/** Runs before any model call, so a throttled check costs nothing. */
export function throttleReengagement(history: ReengagementHistory, now: Date): ThrottleVerdict {
  if (history.unansweredInWindow >= MAX_UNANSWERED_NUDGES) {
    return { kind: 'paused', unanswered: history.unansweredInWindow };
  }
  if (history.lastSentAt !== null) {
    const retryAt = new Date(history.lastSentAt.getTime() + NUDGE_MIN_INTERVAL_DAYS * DAY_MS);
    if (retryAt.getTime() > now.getTime()) return { kind: 'throttled', retryAt, lastSentAt: history.lastSentAt };
  }
  return { kind: 'go' };
}
