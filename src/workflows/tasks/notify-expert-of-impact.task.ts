import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { findAnswer } from '../community/community-answer';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { upsertPriority } from '../priority.writer';
import { emitEvent, once, WORKFLOWS } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { CommunityResponseContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

/**
 * `notify_expert_of_impact` (from `process_community_response`): the expert hears how their answer
 * helped: an `expert_impact_notification` priority, one `low` text (subject `community_impact:<response id>`), and
 * `community.expert_notified_of_impact`; once per answer whatever creates the task.
 */
@Injectable()
export class NotifyExpertOfImpactTask implements TaskWorkflow {
  readonly taskType = 'notify_expert_of_impact';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const expertId = taskUser(task);
    const { requestId, responseId } = parseTaskContext(CommunityResponseContextDto, task);
    const answer = await findAnswer(client, responseId, { requestId });
    if (!answer) throw new InvalidTaskError(`community response ${responseId} to request ${requestId} does not exist`);
    if (answer.expertId !== expertId)
      throw new InvalidTaskError(`community response ${responseId} is not by ${expertId}`);
    const impact = answer.impactDescription?.trim();
    if (!impact) throw new InvalidTaskError(`community response ${responseId} has no impact to tell`);
    if (!(await once(client, `expert_impact:${responseId}`, null))) return { responseId, notified: false };
    const topic = answer.topic;
    await upsertPriority(client, {
      userId: expertId,
      itemType: 'expert_impact_notification',
      itemId: responseId,
      valueScore: 40,
      summary: `how your answer about ${topic} helped`,
    });
    await textMember(client, this.members, {
      userId: expertId,
      texts: [`Your answer about ${topic} made a difference: ${impact}`],
      subject: `community_impact:${responseId}`,
      priority: 'low',
      data: { kind: 'expert_impact', requestId, responseId },
    });
    await emitEvent(client, {
      event_type: 'community.expert_notified_of_impact',
      aggregate_id: requestId,
      aggregate_type: 'community_request',
      payload: { requestId, responseId, expertUserId: expertId },
      created_by: WORKFLOWS,
    });
    return { responseId, notified: true };
  }
}
