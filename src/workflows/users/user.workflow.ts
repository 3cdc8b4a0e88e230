import { Injectable } from '@nestjs/common';
import { DatabaseService, type Queryable } from '../../database/database.service';
import { PermanentEventError, type EventHandler, type StoredEvent } from '../../routing/event-handler';
import { enqueueMessage } from '../../messaging/message-queue.writer';
import { MemberRepository, voiceOf } from '../member.repository';
import { upsertPriority } from '../priority.writer';
import { ProspectUpgrade } from '../prospects/prospect.upgrade';
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

/** Top priorities named in a welcome: enough to be useful, few enough for one text. */
const WELCOME_PRIORITIES = 3;

/**
 * The user family: activity, verification, onboarding and research requests.
 * Verification itself is never done here (the email webhook and the operator do it).
 */
@Injectable()
export class UserWorkflows {
  constructor(
    private readonly database: DatabaseService,
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
   * A welcome in the voice of the member's agent, with their top priorities (the original's
   * `notify_user_of_priorities`), queued once per member.
   */
  private async verified(event: StoredEvent) {
    const userId = userOf(event);
    const member = await this.requireMember(userId);
    if (!member.verified) throw new PermanentEventError(`user ${userId} is not verified; nothing to welcome`);
    const top = await this.database.query<{ item_summary: string | null; content: string | null }>(
      `SELECT item_summary, content FROM user_priorities
       WHERE user_id = $1 AND status IN ('active', 'presented') ORDER BY priority_rank, value_score DESC NULLS LAST LIMIT $2`,
      [userId, WELCOME_PRIORITIES],
    );
    const items = top.map((row) => row.item_summary ?? row.content).filter((text): text is string => Boolean(text));
    const agent = voiceOf(member);
    const texts = [
      `Welcome in${member.firstName ? `, ${member.firstName}` : ''}. You're verified, and I'm your point of contact here from now on.`,
      items.length > 0
        ? `A few things are already waiting for you: ${items.join('; ')}. Reply about any of them whenever suits you.`
        : `Tell me what you're working on and who you'd like to meet, and I'll keep an eye out.`,
    ];
    return written(async (client) => {
      if (!(await once(client, `user.verified:${userId}`, event.id))) return;
      await enqueueMessage(client, {
        userId,
        agentId: agent,
        texts,
        priority: 'high',
        subject: 'welcome',
        data: { kind: 'welcome', priorities: items.length },
      });
    });
  }

  /** The operator reviews verification by hand: a log row they can query, nothing sent. */
  private async verificationPending(event: StoredEvent) {
    const userId = userOf(event);
    await this.requireMember(userId);
    return {
      actions: [],
      events: [],
      logs: [
        {
          agent_type: WORKFLOWS,
          action_type: 'verification_pending',
          user_id: userId,
          input_data: { eventId: event.id },
        },
      ],
    };
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
   * Records the research request as a `research_solution` task for the research worker and a
   * `solution_update` priority, so the member's agent brings the answer up when it lands. Emits
   * `solution.research_initiated`, never `user.inquiry.solution_needed` again (no loop).
   */
  private async solutionNeeded(event: StoredEvent) {
    const payload = parsePayload(SolutionNeededDto, event);
    await this.requireMember(payload.userId);
    return written(async (client: Queryable) => {
      if (!(await once(client, `user.inquiry.solution_needed:${event.id}`, event.id))) return;
      const task = await client.query<{ id: string }>(
        `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, priority, context_json, created_by)
         VALUES ('research_solution', 'solution_saga', $1, $2, 'conversation', $3, $4, $5) RETURNING id`,
        [
          payload.userId,
          payload.conversationId,
          payload.urgency,
          {
            requestDescription: payload.requestDescription,
            category: payload.category ?? null,
            urgency: payload.urgency,
            sourceEventId: event.id,
          },
          WORKFLOWS,
        ],
      );
      const taskId = task.rows[0].id;
      await upsertPriority(client, {
        userId: payload.userId,
        itemType: 'solution_update',
        itemId: taskId,
        valueScore: payload.urgency === 'high' ? 75 : payload.urgency === 'medium' ? 60 : 45,
        summary: 'research you asked for is under way',
        context: payload.category ?? null,
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
