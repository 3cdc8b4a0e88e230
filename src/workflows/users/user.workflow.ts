import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { MemberRepository, voiceOf } from '../member.repository';
import { ProspectUpgrade } from '../prospects/prospect.upgrade';
import { scheduleTask } from '../tasks/task.writer';
import { missing, parsePayload } from '../workflow-payload';
import { emitEvent, handlerFor, nothing, once, written, WORKFLOWS } from '../workflow-effects';
import { SolutionNeededDto, UserMessageReceivedDto, UserRefDto } from './user.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user an event is about: `payload.userId`, else the aggregate when it is a user. */
function userOf(event: StoredEvent): string {
  const { userId } = parsePayload(UserRefDto, event);
  if (userId) return userId;
  if (event.aggregateType === 'user' && event.aggregateId && UUID.test(event.aggregateId)) return event.aggregateId;
  throw new PermanentEventError(`invalid ${event.eventType} payload: userId must be a UUID (or aggregate_id the user)`);
}

/** The welcome goes a minute after the approval (as in the original). */
export const WELCOME_DELAY_MS = 60_000;
/** The research request is acknowledged after the agent's own reply, not on top of it. */
export const RESEARCH_ACK_DELAY_MS = 10 * 60_000;

/**
 * The user family: activity, verification, onboarding and research requests.
 * Verification itself is never done here (the email webhook and the operator do it).
 */
@Injectable()
export class UserWorkflows {
  constructor(
    private readonly members: MemberRepository,
    private readonly prospects: ProspectUpgrade,
  ) {}

  handlers(): EventHandler[] {
    return [
      handlerFor('system.ping', () => Promise.resolve(nothing())),
      handlerFor('user.message.received', (event) => this.messageReceived(event)),
      handlerFor('user.verified', (event) => this.verified(event)),
      handlerFor('user.verification.pending', (event) => this.verificationPending(event)),
      handlerFor('user.onboarding_info_complete', (event) => this.onboardingComplete(event)),
      handlerFor('user.inquiry.solution_needed', (event) => this.solutionNeeded(event)),
    ];
  }

  /** Keeps activity current; never moves it backwards, so a retry or replay changes nothing. */
  private async messageReceived(event: StoredEvent) {
    const payload = parsePayload(UserMessageReceivedDto, event);
    await this.requireMember(payload.userId);
    const at = payload.receivedAt ? new Date(payload.receivedAt) : event.createdAt;
    return written(async (client) => {
      await client.query(
        `UPDATE users SET last_active_at = $2 WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < $2)`,
        [payload.userId, at],
      );
      await client.query(
        `UPDATE conversations SET last_message_at = $3
         WHERE user_id = $1 AND ($2::uuid IS NULL AND status = 'active' OR id = $2)
           AND (last_message_at IS NULL OR last_message_at < $3)`,
        [payload.userId, payload.conversationId ?? null, at],
      );
    });
  }

  /**
   * Schedules the welcome with the member's top priorities (the original's
   * `notify_user_of_priorities` task, +1 minute, so priorities written by the same approval are in
   * it); the task queues it. Once per member.
   */
  private async verified(event: StoredEvent) {
    const userId = userOf(event);
    const member = await this.requireMember(userId);
    if (!member.verified) throw new PermanentEventError(`user ${userId} is not verified; nothing to welcome`);
    return written(async (client) => {
      if (!(await once(client, `user.verified:${userId}`, event.id))) return;
      await scheduleTask(client, {
        taskType: 'notify_user_of_priorities',
        agentType: voiceOf(member),
        userId,
        contextId: userId,
        contextType: 'user',
        priority: 'high',
        delayMs: WELCOME_DELAY_MS,
        context: { reason: 'welcome', sourceEventId: event.id },
      });
    });
  }

  /**
   * The operator reviews verification by hand: a log row they can query, nothing sent; once per
   * event, so a replay or a retry after commit does not put the member in the queue twice.
   */
  private async verificationPending(event: StoredEvent) {
    const userId = userOf(event);
    await this.requireMember(userId);
    return written(async (client) => {
      if (!(await once(client, `user.verification.pending:${event.id}`, event.id))) return;
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, input_data) VALUES ($1, 'verification_pending', $2, $3)`,
        [WORKFLOWS, userId, { eventId: event.id }],
      );
    });
  }

  /**
   * The Bouncer has the member's details: logged for the operator's review, and a member who was
   * someone's uploaded prospect is upgraded (see ProspectUpgrade).
   */
  private async onboardingComplete(event: StoredEvent) {
    const userId = userOf(event);
    await this.requireMember(userId);
    return written(async (client) => {
      if (!(await once(client, `user.onboarding_info_complete:${userId}`, event.id))) return;
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, input_data) VALUES ($1, 'onboarding_info_complete', $2, $3)`,
        [WORKFLOWS, userId, { eventId: event.id }],
      );
      await this.prospects.upgrade(client, userId);
    });
  }

  /**
   * Records the research request as a `research_solution` task (run here: the member's
   * `solution_update` priority and the acknowledgement) and emits `solution.research_initiated`,
   * never `user.inquiry.solution_needed` again (no loop).
   */
  private async solutionNeeded(event: StoredEvent) {
    const payload = parsePayload(SolutionNeededDto, event);
    await this.requireMember(payload.userId);
    return written(async (client: Queryable) => {
      if (!(await once(client, `user.inquiry.solution_needed:${event.id}`, event.id))) return;
      const taskId = await scheduleTask(client, {
        taskType: 'research_solution',
        agentType: 'solution_saga',
        userId: payload.userId,
        contextId: payload.conversationId,
        contextType: 'conversation',
        priority: payload.urgency,
        delayMs: RESEARCH_ACK_DELAY_MS,
        context: {
          requestDescription: payload.requestDescription,
          category: payload.category ?? null,
          urgency: payload.urgency,
          sourceEventId: event.id,
        },
      });
      await emitEvent(client, {
        event_type: 'solution.research_initiated',
        aggregate_id: payload.userId,
        aggregate_type: 'user',
        payload: {
          userId: payload.userId,
          conversationId: payload.conversationId,
          taskId,
          category: payload.category ?? null,
        },
        created_by: WORKFLOWS,
      });
    });
  }

  private async requireMember(userId: string) {
    const member = await this.members.find(userId);
    if (!member) throw missing('user', userId);
    return member;
  }
}
