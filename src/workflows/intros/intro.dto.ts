import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IntroFollowupContextDto } from '../tasks/task-context.dto';

const MAX_BOUNTY = 100_000;

export class IntroOpportunityCreatedDto {
  @IsUUID()
  introOpportunityId!: string;

  @IsUUID()
  connectorUserId!: string;

  @IsOptional()
  @IsUUID()
  innovatorId?: string | null;

  @IsOptional()
  @IsUUID()
  prospectId?: string | null;

  @IsInt()
  @Min(0)
  @Max(MAX_BOUNTY)
  bountyCredits!: number;
}

/** `intro.opportunity_accepted` / `intro.opportunity_declined`. */
export class IntroOpportunityDecisionDto {
  @IsUUID()
  introOpportunityId!: string;

  @IsUUID()
  connectorUserId!: string;

  @IsOptional()
  @IsUUID()
  innovatorId?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}

/** `intro.opportunity_completed` / `intro.opportunity_cancelled`. */
export class IntroOpportunityRefDto {
  @IsUUID()
  introOpportunityId!: string;
}

export class IntroOfferCreatedDto {
  @IsUUID()
  introOfferId!: string;

  @IsUUID()
  offeringUserId!: string;

  @IsUUID()
  introduceeUserId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  prospectName!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  prospectCompany?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  context?: string | null;
}

/** `intro.offer_accepted` / `intro.offer_declined` / `intro.offer_confirmed`. */
export class IntroOfferStepDto {
  @IsUUID()
  introOfferId!: string;

  @IsUUID()
  offeringUserId!: string;

  @IsUUID()
  introduceeUserId!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_BOUNTY)
  bountyCredits!: number;
}

/** `intro.offer_reminder`. */
export class IntroOfferRefDto {
  @IsUUID()
  introOfferId!: string;
}

export class ConnectionRequestCreatedDto {
  @IsUUID()
  connectionRequestId!: string;

  @IsUUID()
  requestorUserId!: string;

  @IsUUID()
  introduceeUserId!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_BOUNTY)
  bountyCredits!: number;
}

/** `connection.request_accepted` / `connection.request_declined`. */
export class ConnectionRequestDecisionDto {
  @IsUUID()
  connectionRequestId!: string;

  @IsUUID()
  requestorUserId!: string;

  @IsUUID()
  introduceeUserId!: string;
}

/** `connection.request_completed`. */
export class ConnectionRequestRefDto {
  @IsUUID()
  connectionRequestId!: string;
}

/** `user.intro_inquiry`: a member asked where one of their intros stands. */
export class IntroInquiryDto extends IntroFollowupContextDto {
  @IsUUID()
  userId!: string;
}
