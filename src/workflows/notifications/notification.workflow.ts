import { Injectable } from '@nestjs/common';
import { enqueueMessage } from '../../messaging/message-queue.writer';
import type { EventHandler, StoredEvent } from '../../routing/event-handler';
import { MemberRepository, voiceOf, type Member } from '../member.repository';
import { missing, parsePayload } from '../workflow-payload';
import { handlerFor, once, written, WORKFLOWS } from '../workflow-effects';
import { nextBusinessMorning } from './business-morning';
import { MessageSendRequestedDto, PriorityUpdateDto, type PriorityItemDto } from './notification.dto';

const ACTIVE_WITHIN_MS = 48 * 3600_000;

export type TimingDecision = 'send_now' | 'queue_for_later' | 'skip';

/**
 * The product's timing guidance, as a rule: the top item only; 90 or more and active within 48 h → now;
 * 80 or more → the next business morning, re-checked before it goes; anything else → skip.
 */
export function decideTiming(
  top: Pick<PriorityItemDto, 'valueScore'>,
  member: Pick<Member, 'lastActiveAt'>,
  now: Date,
) {
  const active = member.lastActiveAt !== null && now.getTime() - member.lastActiveAt.getTime() <= ACTIVE_WITHIN_MS;
  if (top.valueScore >= 90 && active) return 'send_now';
  if (top.valueScore >= 80) return 'queue_for_later';
  return 'skip';
}

/** Proactive texts: priority notifications and texts other components ask to send. Both go to the queue. */
@Injectable()
export class NotificationWorkflows {
  constructor(private readonly members: MemberRepository) {}

  handlers(): EventHandler[] {
    return [
      handlerFor('priority.update', (event) => this.priorityUpdate(event)),
      handlerFor('message.send.requested', (event) => this.sendRequested(event)),
    ];
  }

  private async priorityUpdate(event: StoredEvent) {
    const payload = parsePayload(PriorityUpdateDto, event);
    const member = await this.members.find(payload.userId);
    if (!member) throw missing('user', payload.userId);
    const top = payload.priorities.reduce((best, item) => (item.valueScore > best.valueScore ? item : best));
    const now = new Date();
    const decision = decideTiming(top, member, now);
    return written(async (client) => {
      if (!(await once(client, `priority.update:${event.id}`, event.id))) return;
      if (decision !== 'skip') {
        const summary = top.content?.trim() || 'something that matches what you told me you are after';
        await enqueueMessage(client, {
          userId: member.id,
          agentId: voiceOf(member),
          texts: [`Something worth a look: ${summary}. Want me to tell you more?`],
          priority: decision === 'send_now' ? 'high' : 'medium',
          scheduledFor: decision === 'send_now' ? now : nextBusinessMorning(now, member.timezone),
          // The item's own subject: news about the item supersedes it, and the dispatcher's
          // fresh-context check drops it once the item is settled.
          subject: `${top.itemType}:${top.itemId}`,
          requiresFreshContext: decision === 'queue_for_later',
          data: {
            kind: 'priority_notification',
            itemType: top.itemType,
            itemId: top.itemId,
            valueScore: top.valueScore,
          },
        });
      }
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, input_data, output_data)
         VALUES ($1, 'priority_notification_decision', $2, $3, $4)`,
        [
          WORKFLOWS,
          member.id,
          { eventId: event.id, maxScore: payload.maxScore, itemCount: payload.itemCount },
          { decision, itemType: top.itemType, itemId: top.itemId, valueScore: top.valueScore },
        ],
      );
    });
  }

  private async sendRequested(event: StoredEvent) {
    const payload = parsePayload(MessageSendRequestedDto, event);
    const member = await this.members.find(payload.userId);
    if (!member) throw missing('user', payload.userId);
    const texts = payload.texts ?? [payload.text as string];
    return written(async (client) => {
      if (!(await once(client, `message.send.requested:${event.id}`, event.id))) return;
      await enqueueMessage(client, {
        userId: member.id,
        agentId: payload.agentId ?? voiceOf(member),
        texts,
        priority: payload.priority ?? 'medium',
        scheduledFor: payload.scheduledFor ? new Date(payload.scheduledFor) : undefined,
        subject: payload.subject ?? undefined,
        requiresFreshContext: payload.requiresFreshContext ?? false,
        data: { kind: 'requested', eventId: event.id },
      });
    });
  }
}
