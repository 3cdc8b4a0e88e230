import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Queryable } from '../../database/database.service';
import { enqueueMessage } from '../../messaging/message-queue.writer';
import { MemberRepository, voiceOf } from '../member.repository';
import { once } from '../workflow-effects';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { NotifyPrioritiesContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

/** Top priorities named in one text: enough to be useful, few enough for one text. */
const TOP_PRIORITIES = 3;

async function topPriorities(client: Queryable, userId: string): Promise<string[]> {
  const top = await client.query<{ item_summary: string | null; content: string | null }>(
    `SELECT item_summary, content FROM user_priorities
     WHERE user_id = $1 AND status IN ('active', 'presented')
     ORDER BY priority_rank, value_score DESC NULLS LAST LIMIT $2`,
    [userId, TOP_PRIORITIES],
  );
  return top.rows.map((row) => row.item_summary ?? row.content).filter((text): text is string => Boolean(text));
}

/**
 * `notify_user_of_priorities` (the original's placeholder, brief defect 20): the member's top open
 * priorities, queued in the voice of their agent. `reason: 'welcome'` (scheduled by `user.verified`)
 * opens with the welcome and goes once per member, whatever creates the task; a plain digest with
 * nothing open sends nothing. Never verifies anyone.
 */
@Injectable()
export class NotifyUserOfPrioritiesTask implements TaskWorkflow {
  readonly taskType = 'notify_user_of_priorities';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const userId = taskUser(task);
    const { reason } = parseTaskContext(NotifyPrioritiesContextDto, task);
    const member = await this.members.find(userId, client);
    if (!member) throw new InvalidTaskError(`user ${userId} does not exist`);
    const welcome = reason === 'welcome';
    if (welcome && !member.verified) throw new InvalidTaskError(`user ${userId} is not verified; nothing to welcome`);
    const items = await topPriorities(client, userId);
    const waiting = `A few things are already waiting for you: ${items.join('; ')}. Reply about any of them whenever suits you.`;
    if (welcome) {
      if (!(await once(client, `welcome:${userId}`, null))) return { queued: false, reason: 'already welcomed' };
      await enqueueMessage(client, {
        userId,
        agentId: voiceOf(member),
        texts: [
          `Welcome in${member.firstName ? `, ${member.firstName}` : ''}. You're verified, and I'm your point of contact here from now on.`,
          items.length > 0
            ? waiting
            : `Tell me what you're working on and who you'd like to meet, and I'll keep an eye out.`,
        ],
        priority: 'high',
        subject: 'welcome',
        data: { kind: 'welcome', priorities: items.length },
      });
      return { queued: true, reason: 'welcome', priorities: items.length };
    }
    if (items.length === 0) return { queued: false, reason: 'no open priorities' };
    await enqueueMessage(client, {
      userId,
      agentId: voiceOf(member),
      texts: [waiting],
      priority: 'medium',
      subject: 'priorities',
      data: { kind: 'priorities', priorities: items.length },
    });
    return { queued: true, reason: 'priorities', priorities: items.length };
  }
}
