import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';

export const DESIRED_OUTCOMES = ['backchannel', 'introduction', 'quick_thoughts', 'ongoing_advice'] as const;
export const URGENCIES = ['low', 'medium', 'high'] as const;

/** `community.request_needed` (Concierge/Innovator `publish_community_request`). */
export class CommunityRequestNeededDto {
  @IsUUID()
  requestingUserId!: string;

  @IsIn(['concierge', 'innovator', 'bouncer'])
  requestingAgentType!: string;

  @IsUUID()
  contextId!: string;

  @IsIn(['conversation'])
  contextType!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  question!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  expertiseNeeded!: string[];

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  requesterContext?: string | null;

  @IsIn(DESIRED_OUTCOMES)
  desiredOutcome!: (typeof DESIRED_OUTCOMES)[number];

  @IsIn(URGENCIES)
  urgency!: (typeof URGENCIES)[number];

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  requestSummary!: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string | null;
}

/** `community.response_received` (`record_community_response`). */
export class CommunityResponseReceivedDto {
  @IsUUID()
  requestId!: string;

  @IsUUID()
  responseId!: string;

  @IsUUID()
  responderUserId!: string;

  @IsUUID()
  requestingUserId!: string;
}
