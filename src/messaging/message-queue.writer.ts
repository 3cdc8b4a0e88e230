import { randomUUID } from 'node:crypto';
import type { Queryable } from '../database/database.service';
import type { QueuedMessage } from './queued-message.types';

/**
 * Queues proactive texts inside the caller's transaction (a turn's or a handler's fenced commit),
 * so a retried or replayed unit of work queues nothing twice. Returns the sequence id.
 */
export async function enqueueMessage(client: Queryable, message: QueuedMessage): Promise<string> {
  const sequenceId = randomUUID();
  const texts = message.texts.map((text) => text.trim()).filter((text) => text.length > 0);
  if (message.subject) {
    await client.query(
      `UPDATE message_queue
          SET status = 'superseded', superseded_by_message_id = $3,
              superseded_reason = 'a newer text on the same subject was queued'
        WHERE user_id = $1 AND subject = $2 AND status = 'queued'`,
      [message.userId, message.subject, sequenceId],
    );
  }
  const data = { ...(message.data ?? {}), ...(message.subject ? { subject: message.subject } : {}) };
  for (const [position, text] of texts.entries()) {
    await client.query(
      `INSERT INTO message_queue (user_id, agent_id, message_data, final_message, scheduled_for, priority,
         requires_fresh_context, sequence_id, sequence_position, sequence_total, subject)
       VALUES ($1, $2, $3, $4, COALESCE($5, now()), $6, $7, $8, $9, $10, $11)`,
      [
        message.userId,
        message.agentId,
        data,
        text,
        message.scheduledFor ?? null,
        message.priority,
        message.requiresFreshContext ?? false,
        sequenceId,
        position,
        texts.length,
        message.subject ?? null,
      ],
    );
  }
  return sequenceId;
}
