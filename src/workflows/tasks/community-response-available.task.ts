import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { findAnswer } from '../community/community-answer';
import { attachedTopic } from '../community/community-attachments';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { upsertPriority } from '../priority.writer';
import { once } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { CommunityResponseContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

/**
 * `community_response_available` (from `community.response_received`, for the requester and each
 * member who attached a question to the request): a `community_response` priority and the answer's
 * summary as a `high` text, once per answer and member whatever creates the task. Each answer is
 * its own subject: a second answer must not supersede the first while the first is still queued
 * (quiet hours, budgets), since each carries news of its own.
 */
@Injectable()
export class CommunityResponseAvailableTask implements TaskWorkflow {
  readonly taskType = 'community_response_available';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const requesterId = taskUser(task);
    const { requestId, responseId } = parseTaskContext(CommunityResponseContextDto, task);
    const answer = await findAnswer(client, responseId, { requestId });
    if (!answer) throw new InvalidTaskError(`community response ${responseId} to request ${requestId} does not exist`);
    const asker = answer.requesterId === requesterId;
    // A member who attached a question is told in the words of their own question.
    const attached = asker ? undefined : await attachedTopic(client, requestId, requesterId);
    if (!asker && attached === undefined) {
      throw new InvalidTaskError(`community request ${requestId} was not asked by ${requesterId}`);
    }
    if (!asker && answer.expertId === requesterId) {
      throw new InvalidTaskError(`community response ${responseId} is ${requesterId}'s own answer`);
    }
    const topic = (asker ? answer.requestSummary : attached) ?? 'your question';
    await upsertPriority(client, {
      userId: requesterId,
      itemType: 'community_response',
      itemId: responseId,
      valueScore: 75,
      summary: `an answer to your question about ${topic}`,
    });
    // The requester's key predates attachments; an attached member's names them.
    const onceKey = asker
      ? `community_response_available:${responseId}`
      : `community_response_available:${responseId}:${requesterId}`;
    if (!(await once(client, onceKey, null))) {
      return { requestId, responseId, queued: false };
    }
    const summary = answer.responseText?.trim();
    const queued = await textMember(client, this.members, {
      userId: requesterId,
      texts: [
        summary
          ? `Someone in the network answered your question about ${topic}: ${summary}`
          : `Someone in the network answered your question about ${topic}. Want the details?`,
      ],
      subject: `community_response:${responseId}`,
      priority: 'high',
      data: { kind: 'community_response', requestId, responseId },
    });
    return { requestId, responseId, queued };
  }
}
