import type { Queryable } from '../database/database.service';
import { enqueueMessage } from '../messaging/message-queue.writer';
import type { MessagePriority } from '../messaging/queued-message.types';
import { type MemberRepository, voiceOf } from './member.repository';

/**
 * Queues a proactive text to a member in the voice of their agent, inside the caller's fenced
 * transaction. A member who no longer exists is skipped (the text has nobody to go to).
 */
export async function textMember(
  client: Queryable,
  members: MemberRepository,
  text: {
    userId: string;
    texts: string[];
    subject: string;
    priority?: MessagePriority;
    data?: Record<string, unknown>;
  },
): Promise<boolean> {
  const member = await members.find(text.userId, client);
  if (!member) return false;
  await enqueueMessage(client, {
    userId: member.id,
    agentId: voiceOf(member),
    texts: text.texts,
    priority: text.priority ?? 'medium',
    subject: text.subject,
    data: text.data,
  });
  return true;
}
