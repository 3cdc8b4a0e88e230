import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { RESPONSE_CREDITS } from '../community/community-closer.job';
import { awardCredits } from '../credit.ledger';
import { once } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { ProcessCommunityResponseContextDto } from './task-context.dto';
import { parseTaskContext } from './task-context';
import { scheduleTask } from './task.writer';

/** Extra credits for an answer the requester scored this high or higher (1-10). */
export const USEFUL_SCORE = 8;
export const USEFUL_ANSWER_BONUS = 15;

/**
 * `process_community_response`: the requester said how useful an answer was (created by whatever
 * records that judgement: the requester's agent or an operator). The answer keeps the score and the
 * impact, is `rewarded`, and its expert is credited: the answer's credits under the same key the
 * closing timer uses (`community.response:<response id>:<user id>`, so they are paid once, whichever
 * runs first), plus a bonus for a very useful answer (`community.useful:<response id>:<user id>`).
 * With an impact description, the expert is told about it by one `notify_expert_of_impact` task.
 */
@Injectable()
export class ProcessCommunityResponseTask implements TaskWorkflow {
  readonly taskType = 'process_community_response';

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const context = parseTaskContext(ProcessCommunityResponseContextDto, task);
    const found = await client.query<{
      request_id: string;
      user_id: string;
      requesting_user_id: string | null;
      request_summary: string | null;
    }>(
      `SELECT r.request_id, r.user_id, q.requesting_user_id, q.request_summary
       FROM community_responses r JOIN community_requests q ON q.id = r.request_id
       WHERE r.id = $1 FOR UPDATE OF r`,
      [context.responseId],
    );
    const answer = found.rows[0];
    if (!answer) throw new InvalidTaskError(`community response ${context.responseId} does not exist`);
    if (task.userId && task.userId !== answer.requesting_user_id) {
      throw new InvalidTaskError(`only the requester judges community response ${context.responseId}`);
    }
    const bonus = context.usefulnessScore >= USEFUL_SCORE;
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
        RESPONSE_CREDITS + (bonus ? USEFUL_ANSWER_BONUS : 0),
      ],
    );
    const topic = answer.request_summary ?? 'a member’s question';
    const credited = await awardCredits(client, {
      userId: answer.user_id,
      amount: RESPONSE_CREDITS,
      eventType: 'community_response',
      referenceType: 'community_response',
      referenceId: context.responseId,
      idempotencyKey: `community.response:${context.responseId}:${answer.user_id}`,
      description: `answer to a question about ${topic}`,
    });
    const rewarded =
      bonus &&
      (await awardCredits(client, {
        userId: answer.user_id,
        amount: USEFUL_ANSWER_BONUS,
        eventType: 'community_response_useful',
        referenceType: 'community_response',
        referenceId: context.responseId,
        idempotencyKey: `community.useful:${context.responseId}:${answer.user_id}`,
        description: `a very useful answer about ${topic}`,
      }));
    let impactTaskId: string | null = null;
    if (
      context.impactDescription?.trim() &&
      (await once(client, `notify_expert_of_impact:${context.responseId}`, null))
    ) {
      impactTaskId = await scheduleTask(client, {
        taskType: 'notify_expert_of_impact',
        agentType: 'account_manager',
        userId: answer.user_id,
        contextId: context.responseId,
        contextType: 'community_response',
        priority: 'low',
        context: { requestId: answer.request_id, responseId: context.responseId },
      });
    }
    return { responseId: context.responseId, credited, bonus: rewarded, impactTaskId };
  }
}
