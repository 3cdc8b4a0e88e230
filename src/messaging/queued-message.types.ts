/**
 * A proactive text: anything that is not a reply to the user's own text. It is never written to
 * `messages` directly; it becomes a `message_queue` row, and the dispatcher decides when (and
 * whether) it goes out under the user's budget, quiet hours and opt-out.
 */
export const MESSAGE_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type MessagePriority = (typeof MESSAGE_PRIORITIES)[number];

/** Lanes compare as numbers (the original sorted them as text: high < low < medium < urgent). */
export const PRIORITY_RANK: Readonly<Record<MessagePriority, number>> = { urgent: 0, high: 1, medium: 2, low: 3 };

export interface QueuedMessage {
  userId: string;
  /** The voice the text is sent in: `bouncer`, `concierge`, `innovator`. Becomes the outbound role. */
  agentId: string;
  /** One SMS per element, in order; a multi-text message is one sequence and counts once. */
  texts: string[];
  priority: MessagePriority;
  /** Not before this time; defaults to now. */
  scheduledFor?: Date;
  /**
   * What the text is about, e.g. `intro_opportunity:<id>` or `re_engagement`. A newer queued text
   * on the same subject supersedes an older one still queued for the same user.
   */
  subject?: string;
  /** Re-check before sending that the subject is still open (e.g. the intro not yet accepted). */
  requiresFreshContext?: boolean;
  /** Structured content kept with the row for audit and re-rendering. */
  data?: Record<string, unknown>;
}
