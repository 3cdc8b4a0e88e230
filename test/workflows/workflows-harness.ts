import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { seedUser, type SeededUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

export interface EventRow {
  processing_state: string;
  processed: boolean;
  attempts: number;
  last_error: string | null;
  outcome: string | null;
}

export interface TaskRow {
  id: string;
  task_type: string;
  agent_type: string;
  status: string;
  priority: string;
  retry_count: number;
  error_log: string | null;
  context_json: Record<string, unknown> | null;
  result_json: Record<string, unknown> | null;
  scheduled_for: Date;
}

export interface QueuedRow {
  agent_id: string;
  final_message: string;
  priority: string;
  status: string;
  subject: string | null;
  scheduled_for: Date;
  requires_fresh_context: boolean;
}

/**
 * The whole service in this process on a fresh database (local model, postgres feed), with the
 * real workflows: a test inserts events as other components would and reads the rows they leave.
 */
export class WorkflowsHarness {
  private constructor(
    readonly db: TestDatabase,
    readonly app: INestApplication,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<WorkflowsHarness> {
    const db = await createTestDatabase();
    const app = await startTestApp({
      DATABASE_URL: db.url,
      SWEEP_INTERVAL_MS: '200',
      TASK_POLL_INTERVAL_MS: '100',
      MAX_ATTEMPTS: '3',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '200',
      ...env,
    });
    return new WorkflowsHarness(db, app);
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.db?.drop();
  }

  member(fields: Parameters<typeof seedUser>[1] & { expertise?: string[] } = {}): Promise<SeededUser> {
    const { expertise, ...rest } = fields;
    return seedUser(this.db.pool, { verified: true, poc_agent_type: 'concierge', ...rest }).then(async (user) => {
      if (expertise)
        await this.db.pool.query(`UPDATE users SET expertise = $2 WHERE id = $1`, [user.userId, expertise]);
      return user;
    });
  }

  async emit(
    eventType: string,
    payload: unknown,
    aggregate: { id: string | null; type: string | null } = { id: null, type: null },
  ): Promise<string> {
    const row = await this.db.pool.query<{ id: string }>(
      `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_by)
       VALUES ($1, $2, $3, $4::jsonb, 'test') RETURNING id`,
      [eventType, aggregate.id, aggregate.type, JSON.stringify(payload)],
    );
    return row.rows[0].id;
  }

  async event(id: string): Promise<EventRow> {
    const rows = await this.db.pool.query<EventRow>(
      `SELECT processing_state, processed, attempts, last_error, outcome FROM events WHERE id = $1`,
      [id],
    );
    return rows.rows[0];
  }

  /** Waits for the event to reach a terminal state and returns its row. */
  finished(id: string, timeoutMs = 30_000): Promise<EventRow> {
    return expectEventually(
      async () => {
        const row = await this.event(id);
        expect(['done', 'dead']).toContain(row.processing_state);
        return row;
      },
      { timeoutMs },
    );
  }

  async done(id: string): Promise<EventRow> {
    const row = await this.finished(id);
    expect(row).toMatchObject({ processing_state: 'done', processed: true, last_error: null });
    return row;
  }

  async dead(id: string): Promise<EventRow> {
    const row = await this.finished(id);
    expect(row.processing_state).toBe('dead');
    return row;
  }

  /** An operator's replay by id: the done event goes back to pending and runs again. */
  async replay(id: string): Promise<EventRow> {
    await this.db.pool.query(
      `UPDATE events SET processing_state = 'pending', processed = false, processed_at = NULL, outcome = NULL,
         next_attempt_at = NULL WHERE id = $1`,
      [id],
    );
    await expectEventually(async () => expect((await this.event(id)).attempts).toBeGreaterThanOrEqual(2));
    return this.done(id);
  }

  async queued(userId: string): Promise<QueuedRow[]> {
    const rows = await this.db.pool.query<QueuedRow>(
      `SELECT agent_id, final_message, priority, status, subject, scheduled_for, requires_fresh_context
       FROM message_queue WHERE user_id = $1 ORDER BY created_at, sequence_position`,
      [userId],
    );
    return rows.rows;
  }

  /**
   * Texts still meant for the user: queued, or already sent by the dispatcher (which runs in this
   * app under budgets and quiet hours); not the superseded or cancelled ones.
   */
  async texts(userId: string): Promise<QueuedRow[]> {
    return (await this.queued(userId)).filter((row) => row.status !== 'superseded' && row.status !== 'cancelled');
  }

  /** Outbound rows of the user that did not come through the queue (there must be none for proactive texts). */
  async outboundBypassingQueue(userId: string): Promise<number> {
    const rows = await this.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages m
       WHERE m.user_id = $1 AND m.direction = 'outbound'
         AND NOT EXISTS (SELECT 1 FROM message_queue q WHERE q.delivered_message_id = m.id)`,
      [userId],
    );
    return rows.rows[0].n;
  }

  /** An expert's answer to a community request, as the Concierge records it, once its event is handled. */
  async answer(requestId: string, expert: SeededUser, asker: SeededUser, text: string): Promise<string> {
    const responseId = (
      await this.db.pool.query<{ id: string }>(
        `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, $3) RETURNING id`,
        [requestId, expert.userId, text],
      )
    ).rows[0].id;
    await this.done(
      await this.emit(
        'community.response_received',
        { requestId, responseId, responderUserId: expert.userId, requestingUserId: asker.userId },
        { id: requestId, type: 'community_request' },
      ),
    );
    return responseId;
  }

  async eventsOfType(eventType: string): Promise<Array<{ payload: Record<string, unknown>; created_by: string }>> {
    const rows = await this.db.pool.query<{ payload: Record<string, unknown>; created_by: string }>(
      `SELECT payload, created_by FROM events WHERE event_type = $1 ORDER BY created_at, id`,
      [eventType],
    );
    return rows.rows;
  }

  /** The user's agent_tasks, oldest first (of one type when given). */
  async tasks(userId: string, taskType?: string): Promise<TaskRow[]> {
    const rows = await this.db.pool.query<TaskRow>(
      `SELECT id, task_type, agent_type, status, priority, retry_count, error_log, context_json, result_json, scheduled_for
       FROM agent_tasks WHERE user_id = $1 AND ($2::text IS NULL OR task_type = $2) ORDER BY created_at, id`,
      [userId, taskType ?? null],
    );
    return rows.rows;
  }

  /** Inserts a task as another component would (due now unless told). */
  async addTask(task: {
    taskType: string;
    userId: string | null;
    context: unknown;
    maxRetries?: number;
    agentType?: string;
  }): Promise<string> {
    const row = await this.db.pool.query<{ id: string }>(
      `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_json, max_retries, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, 'test') RETURNING id`,
      [
        task.taskType,
        task.agentType ?? 'account_manager',
        task.userId,
        JSON.stringify(task.context),
        task.maxRetries ?? 3,
      ],
    );
    return row.rows[0].id;
  }

  /** Makes a scheduled task due now (a controlled clock) and waits until the runner ends it. */
  async runTask(id: string, timeoutMs = 30_000): Promise<TaskRow> {
    await this.db.pool.query(`UPDATE agent_tasks SET scheduled_for = now() WHERE id = $1 AND status = 'pending'`, [id]);
    return expectEventually(
      async () => {
        const rows = await this.db.pool.query<TaskRow>(
          `SELECT id, task_type, agent_type, status, priority, retry_count, error_log, context_json, result_json, scheduled_for
           FROM agent_tasks WHERE id = $1`,
          [id],
        );
        expect(['completed', 'failed']).toContain(rows.rows[0].status);
        return rows.rows[0];
      },
      { timeoutMs },
    );
  }

  async deadLetter(eventId: string): Promise<{ error_message: string } | undefined> {
    const rows = await this.db.pool.query<{ error_message: string }>(
      `SELECT error_message FROM event_dead_letters WHERE event_id = $1`,
      [eventId],
    );
    return rows.rows[0];
  }
}
