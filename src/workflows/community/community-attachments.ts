import type { Queryable } from '../../database/database.service';
import { scheduleTask } from '../tasks/task.writer';

/** A question attached to a similar open request (`community_request_attachments`). */
export interface NewAttachment {
  requestId: string;
  userId: string;
  question: string;
  requestSummary: string;
  /** The `community.request_attached` event announcing it. */
  attachedEventId: string;
}

export async function recordAttachment(client: Queryable, attachment: NewAttachment): Promise<void> {
  await client.query(
    `INSERT INTO community_request_attachments (request_id, user_id, question, request_summary, attached_event_id)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (attached_event_id) DO NOTHING`,
    [
      attachment.requestId,
      attachment.userId,
      attachment.question,
      attachment.requestSummary,
      attachment.attachedEventId,
    ],
  );
}

/** Members who attached a question to the request, each once, except `excluded` (e.g. its requester). */
export async function attachedMembers(client: Queryable, requestId: string, excluded: string[]): Promise<string[]> {
  const rows = await client.query<{ user_id: string }>(
    `SELECT DISTINCT user_id FROM community_request_attachments
     WHERE request_id = $1 AND NOT (user_id = ANY($2::uuid[]))
     ORDER BY user_id`,
    [requestId, excluded],
  );
  return rows.rows.map((row) => row.user_id);
}

/**
 * How the member's own attached question names its topic (their latest one on the request), or
 * undefined when they attached none to it.
 */
export async function attachedTopic(
  client: Queryable,
  requestId: string,
  userId: string,
): Promise<string | null | undefined> {
  const rows = await client.query<{ request_summary: string | null }>(
    `SELECT request_summary FROM community_request_attachments
     WHERE request_id = $1 AND user_id = $2
     ORDER BY created_at DESC, id LIMIT 1`,
    [requestId, userId],
  );
  return rows.rows.length === 0 ? undefined : rows.rows[0].request_summary;
}

/** The `community_response_available` task that tells one member of one answer (high, due at once). */
export function scheduleAnswerNotice(
  client: Queryable,
  notice: { userId: string; requestId: string; responseId: string },
): Promise<string> {
  return scheduleTask(client, {
    taskType: 'community_response_available',
    agentType: 'account_manager',
    userId: notice.userId,
    contextId: notice.requestId,
    contextType: 'community_request',
    priority: 'high',
    context: { requestId: notice.requestId, responseId: notice.responseId },
  });
}
