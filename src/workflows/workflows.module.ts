import { Module } from '@nestjs/common';
import { EVENT_HANDLERS, type EventHandler } from '../routing/event-handler';
import { MemberRepository } from './member.repository';
import { NotificationWorkflows } from './notifications/notification.workflow';
import { ProspectUpgrade } from './prospects/prospect.upgrade';
import { TASK_WORKFLOWS, type TaskWorkflow } from './tasks/agent-task';
import { AgentTaskRepository } from './tasks/agent-task.repository';
import { AgentTaskRunner } from './tasks/agent-task.runner';
import { ReengagementTask } from './tasks/re-engagement.task';
import { UserWorkflows } from './users/user.workflow';
import { TIMER_JOBS, WorkflowScheduler, type TimerJob } from './workflow.scheduler';

/** A family of event handlers (one file per family). */
interface WorkflowFamily {
  handlers(): EventHandler[];
}

/**
 * The background workflows: one handler family per file, provided to the engine through
 * EVENT_HANDLERS (the engine claims only these types), the agent_tasks runner and timer jobs.
 */
@Module({
  providers: [
    MemberRepository,
    ProspectUpgrade,
    UserWorkflows,
    NotificationWorkflows,
    ReengagementTask,
    {
      provide: EVENT_HANDLERS,
      useFactory: (...families: WorkflowFamily[]): EventHandler[] => families.flatMap((family) => family.handlers()),
      inject: [UserWorkflows, NotificationWorkflows],
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
