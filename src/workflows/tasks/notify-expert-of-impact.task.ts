import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { findAnswer } from '../community/community-answer';
import { judgementImpact } from '../community/community-judgements';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { upsertPriority } from '../priority.writer';
import { emitEvent, once, WORKFLOWS } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { ExpertImpactContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

/**
 * `notify_expert_of_impact` (from `process_community_response`): the expert hears how their answer
 * helped: an `expert_impact_notification` priority, one `low` text, and
 * `community.expert_notified_of_impact`. The requester's impact (on the answer): once per answer,
 * subject `community_impact:<response id>`; an attached member's (`judgeUserId`, from their
 * judgement): once per answer and member, subject `community_impact:<response id>:<member id>`, so
 * neither text replaces the other.
 */
@Injectable()
export class NotifyExpertOfImpactTask implements TaskWorkflow {
  readonly taskType = 'notify_expert_of_impact';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const expertId = taskUser(task);
    const { requestId, responseId, judgeUserId } = parseTaskContext(ExpertImpactContextDto, task);
    const judge = judgeUserId ?? null;
    const answer = await findAnswer(client, responseId, { requestId });
    if (!answer) throw new InvalidTaskError(`community response ${responseId} to request ${requestId} does not exist`);
    if (answer.expertId !== expertId)
      throw new InvalidTaskError(`community response ${responseId} is not by ${expertId}`);
    const impact = (judge ? await judgementImpact(client, responseId, judge) : answer.impactDescription)?.trim();
    if (!impact) throw new InvalidTaskError(`community response ${responseId} has no impact to tell`);
    const perJudge = judge ? `:${judge}` : '';
    if (!(await once(client, `expert_impact:${responseId}${perJudge}`, null))) return { responseId, notified: false };
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
      texts: [
        judge
          ? `Your answer about ${topic} made a difference to another member who asked: ${impact}`
          : `Your answer about ${topic} made a difference: ${impact}`,
      ],
      subject: `community_impact:${responseId}${perJudge}`,
      priority: 'low',
      data: { kind: 'expert_impact', requestId, responseId },
    });
    await emitEvent(client, {
      event_type: 'community.expert_notified_of_impact',
      aggregate_id: requestId,
      aggregate_type: 'community_request',
      payload: { requestId, responseId, expertUserId: expertId, ...(judge ? { judgeUserId: judge } : {}) },
      created_by: WORKFLOWS,
    });
    return { responseId, notified: true };
  }
}
