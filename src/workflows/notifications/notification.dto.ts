import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AGENT_NAMES } from '../../agents/agent.types';
import { MESSAGE_PRIORITIES } from '../../messaging/queued-message.types';

export class PriorityItemDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  itemType!: string;

  @IsUUID()
  itemId!: string;

  @IsInt()
  @Min(0)
  @Max(100)
  valueScore!: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  content?: string | null;
}

/** `priority.update` (the Account Manager, outside): the member's re-scored priorities. */
export class PriorityUpdateDto {
  @IsUUID()
  userId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PriorityItemDto)
  priorities!: PriorityItemDto[];

  @IsInt()
  @Min(0)
  @Max(100)
  maxScore!: number;

  @IsInt()
  @Min(0)
  itemCount!: number;
}

/** `message.send.requested`: a proactive text for the message queue. `text` or `texts`. */
export class MessageSendRequestedDto {
  @IsUUID()
  userId!: string;

  @IsOptional()
  @IsIn(AGENT_NAMES)
  agentId?: (typeof AGENT_NAMES)[number] | null;

  @ValidateIf((dto: MessageSendRequestedDto) => dto.texts === undefined || dto.texts === null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1600)
  text?: string | null;

  @ValidateIf((dto: MessageSendRequestedDto) => dto.text === undefined || dto.text === null)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(1600, { each: true })
  texts?: string[] | null;

  @IsOptional()
  @IsIn(MESSAGE_PRIORITIES)
  priority?: (typeof MESSAGE_PRIORITIES)[number] | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  subject?: string | null;

  @IsOptional()
  @IsBoolean()
  requiresFreshContext?: boolean | null;

  @IsOptional()
  @IsISO8601()
  scheduledFor?: string | null;
}
