import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IntroFollowupContextDto } from '../tasks/task-context.dto';

const MAX_BOUNTY = 100_000;

/** A bounty in credits: a whole number from 0 to MAX_BOUNTY. */
function IsBounty(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(0)(target, key);
    Max(MAX_BOUNTY)(target, key);
  };
}

/** `intro.opportunity_completed` / `intro.opportunity_cancelled`, and the base of the others. */
export class IntroOpportunityRefDto {
  @IsUUID()
  introOpportunityId!: string;
}

/** The connector asked, and the innovator the intro is for. */
class IntroOpportunityPartiesDto extends IntroOpportunityRefDto {
  @IsUUID()
  connectorUserId!: string;

  @IsOptional()
  @IsUUID()
  innovatorId?: string | null;
}

export class IntroOpportunityCreatedDto extends IntroOpportunityPartiesDto {
  @IsOptional()
  @IsUUID()
  prospectId?: string | null;

  @IsBounty()
  bountyCredits!: number;
}

/** `intro.opportunity_accepted` / `intro.opportunity_declined`. */
export class IntroOpportunityDecisionDto extends IntroOpportunityPartiesDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string | null;
}

/** `intro.offer_reminder`, and the base of the other offer events. */
export class IntroOfferRefDto {
  @IsUUID()
  introOfferId!: string;
}

/** The member offering the intro and the member it is offered to. */
class IntroOfferPartiesDto extends IntroOfferRefDto {
  @IsUUID()
  offeringUserId!: string;

  @IsUUID()
  introduceeUserId!: string;
}

export class IntroOfferCreatedDto extends IntroOfferPartiesDto {
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
export class IntroOfferStepDto extends IntroOfferPartiesDto {
  @IsBounty()
  bountyCredits!: number;
}

/** `connection.request_completed`, and the base of the other request events. */
export class ConnectionRequestRefDto {
  @IsUUID()
  connectionRequestId!: string;
}

/** `connection.request_accepted` / `connection.request_declined`. */
export class ConnectionRequestDecisionDto extends ConnectionRequestRefDto {
  @IsUUID()
  requestorUserId!: string;

  @IsUUID()
  introduceeUserId!: string;
}

export class ConnectionRequestCreatedDto extends ConnectionRequestDecisionDto {
  @IsBounty()
  bountyCredits!: number;
}

/** `user.intro_inquiry`: a member asked where one of their intros stands. */
export class IntroInquiryDto extends IntroFollowupContextDto {
  @IsUUID()
  userId!: string;
}
