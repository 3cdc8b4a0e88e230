import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { isUuid } from '../../realtime/wake-up.parser';
import { emitEvent, WORKFLOWS } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';

/** `intro_offer_confirmation_reminder` → an `intro.offer_reminder` event (its handler decides whether to text). */
@Injectable()
export class IntroOfferReminderTask implements TaskWorkflow {
  readonly taskType = 'intro_offer_confirmation_reminder';

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const introOfferId = task.contextJson.introOfferId ?? task.contextId;
    if (!isUuid(introOfferId))
      throw new InvalidTaskError('intro_offer_confirmation_reminder task names no intro offer');
    await emitEvent(client, {
      event_type: 'intro.offer_reminder',
      aggregate_id: introOfferId,
      aggregate_type: 'intro_offer',
      payload: { introOfferId },
      created_by: WORKFLOWS,
    });
    return { introOfferId };
  }
}
