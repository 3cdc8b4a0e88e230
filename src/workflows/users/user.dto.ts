import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/**
 * `user.verified`, `user.onboarding_info_complete`, `user.verification.pending`. The Bouncer's
 * payloads carry no `userId`: the user is then the row's aggregate (see userOf).
 */
export class UserRefDto {
  @IsOptional()
  @IsUUID()
  userId?: string | null;
}

/** `user.message.received`: the webhook recorded an inbound text. */
export class UserMessageReceivedDto {
  @IsUUID()
  userId!: string;

  @IsOptional()
  @IsUUID()
  conversationId?: string | null;

  @IsOptional()
  @IsUUID()
  messageId?: string | null;

  /** When the text arrived; defaults to the event's time. */
  @IsOptional()
  @IsISO8601()
  receivedAt?: string | null;
}

export const URGENCIES = ['low', 'medium', 'high'] as const;

/** `user.inquiry.solution_needed` (Concierge/Innovator `request_solution_research`). */
export class SolutionNeededDto {
  @IsUUID()
  userId!: string;

  @IsUUID()
  conversationId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  requestDescription!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  category?: string | null;

  @IsIn(URGENCIES)
  urgency!: (typeof URGENCIES)[number];
}
