import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { URGENCIES } from '../community/community.dto';

/** `notify_user_of_priorities`: `welcome` (after `user.verified`) or a plain `priorities` digest. */
export class NotifyPrioritiesContextDto {
  @IsOptional()
  @IsIn(['welcome', 'priorities'])
  reason?: 'welcome' | 'priorities' | null;
}

export const INTRO_TYPES = ['intro_opportunity', 'connection_request', 'intro_offer'] as const;
export type IntroType = (typeof INTRO_TYPES)[number];

/** `intro_followup_check` (from `user.intro_inquiry`): which intro the member asked about. */
export class IntroFollowupContextDto {
  @IsIn(INTRO_TYPES)
  introType!: IntroType;

  @IsUUID()
  introId!: string;
}

/** `research_solution` (from `user.inquiry.solution_needed`). */
export class ResearchSolutionContextDto {
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

/** `community_request_available`: the request an expert is asked about. */
export class CommunityRequestContextDto {
  @IsUUID()
  requestId!: string;
}

/** `community_response_available` and `notify_expert_of_impact`: one answer to one request. */
export class CommunityResponseContextDto extends CommunityRequestContextDto {
  @IsUUID()
  responseId!: string;
}

/** `notify_expert_of_impact`: the answer, and the attached member whose impact it is (none: the requester's). */
export class ExpertImpactContextDto extends CommunityResponseContextDto {
  @IsOptional()
  @IsUUID()
  judgeUserId?: string | null;
}

/** `process_community_response`: an asker's judgement of an answer. */
export class ProcessCommunityResponseContextDto {
  @IsUUID()
  responseId!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  usefulnessScore!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  impactDescription?: string | null;
}
