import { Module } from '@nestjs/common';
import { EVENT_HANDLERS, type EventHandler } from '../routing/event-handler';
import { MemberRepository } from './member.repository';
import { TASK_WORKFLOWS, type TaskWorkflow } from './tasks/agent-task';
import { AgentTaskRepository } from './tasks/agent-task.repository';
import { AgentTaskRunner } from './tasks/agent-task.runner';
import { ReengagementTask } from './tasks/re-engagement.task';
import { TIMER_JOBS, WorkflowScheduler, type TimerJob } from './workflow.scheduler';

/**
 * The background workflows: one handler family per file, provided to the engine through
 * EVENT_HANDLERS (the engine claims only these types), the agent_tasks runner and timer jobs.
 */
@Module({
  providers: [
    MemberRepository,
    ReengagementTask,
    {
      provide: EVENT_HANDLERS,
      useFactory: (): EventHandler[] => [],
      inject: [],
    },
    {
      provide: TASK_WORKFLOWS,
      useFactory: (...workflows: TaskWorkflow[]): TaskWorkflow[] => workflows,
      inject: [ReengagementTask],
    },
    { provide: TIMER_JOBS, useFactory: (): TimerJob[] => [], inject: [] },
    AgentTaskRepository,
    AgentTaskRunner,
    WorkflowScheduler,
  ],
  exports: [EVENT_HANDLERS],
})
export class WorkflowsModule {}
