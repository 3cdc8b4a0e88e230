import { IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { ResearchSolutionContextDto } from '../tasks/task-context.dto';

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

/** `user.inquiry.solution_needed` (Concierge/Innovator `request_solution_research`): the research task's context, and who asked where. */
export class SolutionNeededDto extends ResearchSolutionContextDto {
  @IsUUID()
  userId!: string;

  @IsUUID()
  conversationId!: string;
}
