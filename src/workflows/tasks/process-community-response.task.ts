import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  creditAnswer,
  findAnswer,
  RESPONSE_CREDITS,
  USEFUL_ANSWER_BONUS,
  USEFUL_SCORE,
} from '../community/community-answer';
import { once } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { ProcessCommunityResponseContextDto } from './task-context.dto';
import { parseTaskContext } from './task-context';
import { scheduleTask } from './task.writer';

/**
 * `process_community_response`: the requester said how useful an answer was (created by whatever
 * records that judgement: the requester's agent or an operator). The answer keeps the score and the
 * impact, is `rewarded`, and its expert is credited: the answer's credits under the same key the
 * closing timer uses (so they are paid once, whichever runs first), plus a bonus for a very useful
 * answer. With an impact description, the expert is told about it by one `notify_expert_of_impact` task.
 */
@Injectable()
export class ProcessCommunityResponseTask implements TaskWorkflow {
  readonly taskType = 'process_community_response';

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const context = parseTaskContext(ProcessCommunityResponseContextDto, task);
    const answer = await findAnswer(client, context.responseId, { lock: true });
    if (!answer) throw new InvalidTaskError(`community response ${context.responseId} does not exist`);
    if (task.userId && task.userId !== answer.requesterId) {
      throw new InvalidTaskError(`only the requester judges community response ${context.responseId}`);
    }
    const useful = context.usefulnessScore >= USEFUL_SCORE;
    await client.query(
      `UPDATE community_responses
       SET usefulness_score = $2, impact_description = COALESCE($3, impact_description),
           status = CASE WHEN status = 'closed_loop' THEN status ELSE 'rewarded' END,
           credits_awarded = GREATEST(COALESCE(credits_awarded, 0), $4), credited_at = COALESCE(credited_at, now())
       WHERE id = $1`,
      [
        context.responseId,
        context.usefulnessScore,
        context.impactDescription ?? null,
        RESPONSE_CREDITS + (useful ? USEFUL_ANSWER_BONUS : 0),
      ],
    );
    const credited = await creditAnswer(client, answer, 'answer');
    const bonus = useful && (await creditAnswer(client, answer, 'useful'));
    let impactTaskId: string | null = null;
    if (
      context.impactDescription?.trim() &&
      (await once(client, `notify_expert_of_impact:${answer.responseId}`, null))
    ) {
      impactTaskId = await scheduleTask(client, {
        taskType: 'notify_expert_of_impact',
        agentType: 'account_manager',
        userId: answer.expertId,
        contextId: answer.responseId,
        contextType: 'community_response',
        priority: 'low',
        context: { requestId: answer.requestId, responseId: answer.responseId },
      });
    }
    return { responseId: answer.responseId, credited, bonus, impactTaskId };
  }
}
