import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { upsertPriority } from '../priority.writer';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { ResearchSolutionContextDto } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

const SCORE = { high: 75, medium: 60, low: 45 } as const;

/**
 * `research_solution` (from `user.inquiry.solution_needed`): this project has no research engine,
 * so the task records the request where the member's agent and the research team see it (a
 * `solution_update` priority on the task, and the task's result) and acknowledges it to the member
 * with one low-priority queued text. It emits nothing: never `user.inquiry.solution_needed` again
 * (the original's loop, brief defect 19).
 */
@Injectable()
export class ResearchSolutionTask implements TaskWorkflow {
  readonly taskType = 'research_solution';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const userId = taskUser(task);
    const context = parseTaskContext(ResearchSolutionContextDto, task);
    if (!(await this.members.find(userId, client))) throw new InvalidTaskError(`user ${userId} does not exist`);
    const topic = context.category ? ` about ${context.category}` : '';
    await upsertPriority(client, {
      userId,
      itemType: 'solution_update',
      itemId: task.id,
      valueScore: SCORE[context.urgency],
      summary: 'research you asked for is under way',
      context: context.category ?? null,
    });
    await textMember(client, this.members, {
      userId,
      texts: [
        `Quick note: your request${topic} is with our research team now. I'll come back to you as soon as there's something worth your time.`,
      ],
      subject: `solution:${task.id}`,
      priority: 'low',
      data: { kind: 'solution_acknowledged', taskId: task.id },
    });
    return { status: 'awaiting_research', category: context.category ?? null, urgency: context.urgency };
  }
}
