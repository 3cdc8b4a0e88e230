import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  creditAnswer,
  findAnswer,
  RESPONSE_CREDITS,
  USEFUL_ANSWER_BONUS,
  USEFUL_SCORE,
} from '../community/community-answer';
import { assertAttachedJudge, recordJudgement } from '../community/community-judgements';
import { once } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { ProcessCommunityResponseContextDto } from './task-context.dto';
import { parseTaskContext } from './task-context';
import { scheduleTask } from './task.writer';

/**
 * `process_community_response`: someone who asked said how useful an answer was (created by whatever
 * records that judgement: their agent or an operator). The requester's judgement (or an operator's,
 * with no user) is kept on the answer; a member who attached a question and was told of the answer
 * keeps theirs in `community_response_judgements`, never overwriting the requester's. Either way the
 * answer is `rewarded` and its expert credited: the answer's credits under the same key the closing
 * timer uses (so they are paid once, whichever runs first), plus one bonus per answer for a very
 * useful one. An impact description is told to the expert by one `notify_expert_of_impact` task per
 * judge.
 */
@Injectable()
export class ProcessCommunityResponseTask implements TaskWorkflow {
  readonly taskType = 'process_community_response';

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const context = parseTaskContext(ProcessCommunityResponseContextDto, task);
    const answer = await findAnswer(client, context.responseId, { lock: true });
    if (!answer) throw new InvalidTaskError(`community response ${context.responseId} does not exist`);
    // Anyone but the requester is an attached member's judgement, or refused.
    const judge = task.userId && task.userId !== answer.requesterId ? task.userId : null;
    const impact = context.impactDescription?.trim() ? context.impactDescription : null;
    if (judge) {
      await assertAttachedJudge(client, answer, judge);
      await recordJudgement(client, {
        responseId: answer.responseId,
        userId: judge,
        usefulnessScore: context.usefulnessScore,
        impactDescription: impact,
      });
    } else {
      await client.query(
        `UPDATE community_responses SET usefulness_score = $2, impact_description = COALESCE($3, impact_description)
         WHERE id = $1`,
        [answer.responseId, context.usefulnessScore, impact],
      );
    }
    const useful = context.usefulnessScore >= USEFUL_SCORE;
    await client.query(
      `UPDATE community_responses
       SET status = CASE WHEN status = 'closed_loop' THEN status ELSE 'rewarded' END,
           credits_awarded = GREATEST(COALESCE(credits_awarded, 0), $2), credited_at = COALESCE(credited_at, now())
       WHERE id = $1`,
      [answer.responseId, RESPONSE_CREDITS + (useful ? USEFUL_ANSWER_BONUS : 0)],
    );
    const credited = await creditAnswer(client, answer, 'answer');
    const bonus = useful && (await creditAnswer(client, answer, 'useful'));
    let impactTaskId: string | null = null;
    const impactKey = `notify_expert_of_impact:${answer.responseId}${judge ? `:${judge}` : ''}`;
    if (impact && (await once(client, impactKey, null))) {
      impactTaskId = await scheduleTask(client, {
        taskType: 'notify_expert_of_impact',
        agentType: 'account_manager',
        userId: answer.expertId,
        contextId: answer.responseId,
        contextType: 'community_response',
        priority: 'low',
        context: {
          requestId: answer.requestId,
          responseId: answer.responseId,
          ...(judge ? { judgeUserId: judge } : {}),
        },
      });
    }
    return { responseId: answer.responseId, credited, bonus, impactTaskId };
  }
}
