/**
 * Inbound rows the engine refuses to hand to an agent. Each is bad input from whoever wrote the
 * row: it ends `dead` with `last_error = 'bad input: <description>'`, nothing of the user's or
 * anyone else's conversation is read for it and nothing is written for it but its own state, and
 * it is counted on /metrics (`realtime_processor_bad_input_total{reason}`) and logged.
 */
export const BAD_INPUT_REASONS = {
  no_user: 'the message has no user_id',
  unknown_user: 'the user of the message does not exist',
  no_conversation: 'the message has no conversation_id',
  unknown_conversation: 'the conversation of the message does not exist',
  foreign_conversation: 'the conversation belongs to another user',
  unknown_role: "the role is neither 'user' nor 'system'",
  no_content: 'the content is NULL',
  oversized_content: 'the content is longer than an inbound text can be',
  control_characters: 'the content holds control characters',
  invalid_encoding: 'the content lost its encoding on the way (U+FFFD or a noncharacter)',
} as const;
export type BadInputReason = keyof typeof BAD_INPUT_REASONS;

/**
 * Encoding: PostgreSQL refuses NUL bytes and invalid UTF-8 (a lone surrogate encoded as such) at
 * the writer's INSERT, so such a row never exists. What can be stored but is not a text a person
 * wrote is refused here: C0 and C1 control characters other than tab, line feed and carriage
 * return, and U+FFFD, U+FFFE or U+FFFF — what a lone surrogate or undecodable bytes become when a
 * writer (node-postgres among them) converts them on the way. Both patterns are PostgreSQL regular
 * expressions, as the claim's SQL sees them.
 */
export const CONTROL_CHARACTERS_PATTERN = '[\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]';
export const LOST_ENCODING_PATTERN = '[\\uFFFD\\uFFFE\\uFFFF]';

/** Longest inbound content handed to an agent: far beyond a concatenated SMS (1,600 characters). */
export const MAX_INBOUND_CONTENT_CHARS = 10_000;

export interface RejectedMessage {
  id: string;
  reason: BadInputReason;
}

/** `last_error` of a rejected row, by reason. */
export const BAD_INPUT_TEXTS: Readonly<Record<BadInputReason, string>> = Object.fromEntries(
  Object.entries(BAD_INPUT_REASONS).map(([reason, text]) => [reason, `bad input: ${text}`]),
) as Record<BadInputReason, string>;
