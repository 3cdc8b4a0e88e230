import { Module } from '@nestjs/common';
import { EVENT_HANDLERS, type EventHandler } from '../routing/event-handler';
import { CommunityRequestCloser } from './community/community-closer.job';
import { CommunityWorkflows } from './community/community.workflow';
import { ConnectionRequestWorkflows } from './intros/connection-request.workflow';
import { IntroInquiryWorkflows } from './intros/intro-inquiry.workflow';
import { IntroOfferWorkflows } from './intros/intro-offer.workflow';
import { IntroOpportunityWorkflows } from './intros/intro-opportunity.workflow';
import { MemberRepository } from './member.repository';
import { NotificationWorkflows } from './notifications/notification.workflow';
import { ProspectUpgrade } from './prospects/prospect.upgrade';
import { TASK_WORKFLOWS, type TaskWorkflow } from './tasks/agent-task';
import { AgentTaskRepository } from './tasks/agent-task.repository';
import { AgentTaskRunner } from './tasks/agent-task.runner';
import { CommunityRequestAvailableTask } from './tasks/community-request-available.task';
import { CommunityResponseAvailableTask } from './tasks/community-response-available.task';
import { IntroFollowupCheckTask } from './tasks/intro-followup.task';
import { IntroOfferReminderTask } from './tasks/intro-offer-reminder.task';
import { NotifyExpertOfImpactTask } from './tasks/notify-expert-of-impact.task';
import { NotifyUserOfPrioritiesTask } from './tasks/notify-priorities.task';
import { ProcessCommunityResponseTask } from './tasks/process-community-response.task';
import { ReengagementTask } from './tasks/re-engagement.task';
import { ResearchSolutionTask } from './tasks/research-solution.task';
import { UserWorkflows } from './users/user.workflow';
import { TIMER_JOBS, WorkflowScheduler, type TimerJob } from './workflow.scheduler';

/** The event handler families (one file per family of event types). */
const FAMILIES = [
  UserWorkflows,
  NotificationWorkflows,
  IntroOpportunityWorkflows,
  ConnectionRequestWorkflows,
  IntroOfferWorkflows,
  IntroInquiryWorkflows,
  CommunityWorkflows,
];

/** The agent_tasks workflows run here (one file per task type). */
const TASKS = [
  ReengagementTask,
  IntroOfferReminderTask,
  NotifyUserOfPrioritiesTask,
  IntroFollowupCheckTask,
  ResearchSolutionTask,
  CommunityRequestAvailableTask,
  CommunityResponseAvailableTask,
  ProcessCommunityResponseTask,
  NotifyExpertOfImpactTask,
];

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
    ...FAMILIES,
    CommunityRequestCloser,
    ...TASKS,
    {
      provide: EVENT_HANDLERS,
      useFactory: (...families: WorkflowFamily[]): EventHandler[] => families.flatMap((family) => family.handlers()),
      inject: FAMILIES,
    },
    {
      provide: TASK_WORKFLOWS,
      useFactory: (...workflows: TaskWorkflow[]): TaskWorkflow[] => workflows,
      inject: TASKS,
    },
    {
      provide: TIMER_JOBS,
      useFactory: (...jobs: TimerJob[]): TimerJob[] => jobs,
      inject: [CommunityRequestCloser],
    },
    AgentTaskRepository,
    AgentTaskRunner,
    WorkflowScheduler,
  ],
  exports: [EVENT_HANDLERS],
})
export class WorkflowsModule {}
