import type { INestApplication } from '@nestjs/common';
import { AgentTaskRunner } from '../../src/workflows/tasks/agent-task.runner';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { seedUser, type SeededUser } from '../support/seed';
import { startTestApp } from '../support/test-app';

/**
 * The task runner in the embedded default: the whole app on the local model, no other service.
 * Due tasks are claimed here and become the agent's turn.
 */
describe('agent task runner', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A fault the test can switch on: inserting a row that carries the marker fails.
    await db.pool.query(`
      CREATE FUNCTION test_fail_marked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content LIKE '%inject-failure%' THEN RAISE EXCEPTION 'injected insert failure'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_fail_marked BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_fail_marked();`);
    app = await startTestApp({
      DATABASE_URL: db.url,
      TASK_POLL_INTERVAL_MS: '100',
      SWEEP_INTERVAL_MS: '200',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '100',
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const addTask = async (
    user: SeededUser | null,
    contextJson: Record<string, unknown>,
    extra: { maxRetries?: number; taskType?: string; scheduledFor?: string } = {},
  ): Promise<string> =>
    (
      await db.pool.query<{ id: string }>(
        `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, scheduled_for, context_json,
           max_retries, created_by)
         VALUES ($1, 'bouncer', $2, $3, 'conversation', COALESCE($4::timestamptz, now()), $5, $6, 'test') RETURNING id`,
        [
          extra.taskType ?? 're_engagement_check',
          user?.userId ?? null,
          user?.conversationId ?? null,
          extra.scheduledFor ?? null,
          contextJson,
          extra.maxRetries ?? 3,
        ],
      )
    ).rows[0].id;
  const task = async (id: string) =>
    (
      await db.pool.query(
        `SELECT status, retry_count, error_log, result_json, scheduled_for FROM agent_tasks WHERE id = $1`,
        [id],
      )
    ).rows[0];

  /** The Bouncer's nudge: queued for the dispatcher, or (before nudges moved to the queue) an outbound reply. */
  const nudges = async (user: SeededUser): Promise<string[]> => {
    const queued = await db.pool.query<{ text: string }>(
      `SELECT final_message AS text FROM message_queue WHERE user_id = $1 AND agent_id = 'bouncer'`,
      [user.userId],
    );
    // A queued nudge the dispatcher sent is an outbound row too: counted once, as its queue row.
    const sent = await db.pool.query<{ text: string }>(
      `SELECT content AS text FROM messages m
       WHERE user_id = $1 AND direction = 'outbound' AND role = 'bouncer'
         AND NOT EXISTS (SELECT 1 FROM message_queue q WHERE q.delivered_message_id = m.id)`,
      [user.userId],
    );
    return [...queued.rows, ...sent.rows].map((row) => row.text);
  };

  it('turns a due Bouncer re-engagement task into a nudge with no other service running', async () => {
    const user = await seedUser(db.pool);
    await db.pool.query(
      `UPDATE users SET first_name = 'Ada', last_name = 'Byron', company = 'Engines', title = 'CTO', name_dropped = 'Charles',
         quiet_hours_start = '00:00', quiet_hours_end = '00:00'
       WHERE id = $1`,
      [user.userId],
    );
    const id = await addTask(user, { attemptCount: 1, currentStep: 'email_verification', missingFields: ['email'] });

    await expectEventually(async () => expect(await task(id)).toMatchObject({ status: 'completed', retry_count: 0 }));
    const system = await db.pool.query<{ content: string; processing_state: string }>(
      `SELECT content, processing_state FROM messages WHERE user_id = $1 AND role = 'system'`,
      [user.userId],
    );
    expect(system.rows).toHaveLength(1);
    expect(JSON.parse(system.rows[0].content)).toMatchObject({
      type: 're_engagement_check',
      attemptCount: 1,
      taskId: id,
    });
    expect((await task(id)).result_json).toMatchObject({ systemMessageId: expect.any(String) });

    // Sent, and still one nudge (no quiet hours for Ada, so the dispatcher sends it at once).
    const [nudge] = await expectEventually(async () => {
      const sent = await db.pool.query(`SELECT 1 FROM message_queue WHERE user_id = $1 AND status = 'sent'`, [
        user.userId,
      ]);
      expect(sent.rowCount).toBe(1);
      const texts = await nudges(user);
      expect(texts).toHaveLength(1);
      return texts;
    });
    expect(nudge).toContain(`verify-${user.userId}@verify.yachtparty.xyz`);
    // The turn that read the check scheduled the next one; nothing ran twice.
    await expectEventually(async () =>
      expect(
        (
          await db.pool.query(`SELECT processing_state FROM messages WHERE user_id = $1 AND role = 'system'`, [
            user.userId,
          ])
        ).rows,
      ).toEqual([{ processing_state: 'done' }]),
    );
  });

  it('leaves tasks that are not due, and task types without a workflow, untouched', async () => {
    const user = await seedUser(db.pool);
    // Another user: the nudge turn of `due` replaces its own user's pending re-engagement tasks.
    const laterUser = await seedUser(db.pool);
    const later = await addTask(
      laterUser,
      { attemptCount: 1 },
      { scheduledFor: new Date(Date.now() + 3600_000).toISOString() },
    );
    const foreign = await addTask(user, {}, { taskType: 'create_conversation_summary' });
    const due = await addTask(user, { attemptCount: 1 });
    await expectEventually(async () => expect((await task(due)).status).toBe('completed'));
    await app.get(AgentTaskRunner).runDue(new AbortController().signal);
    expect(await task(later)).toMatchObject({ status: 'pending', retry_count: 0 });
    expect(await task(foreign)).toMatchObject({ status: 'pending', retry_count: 0, error_log: null });
  });

  it('fails a task that can never run at once, with the reason', async () => {
    const orphan = await seedUser(db.pool);
    await db.pool.query(`UPDATE conversations SET status = 'completed' WHERE user_id = $1`, [orphan.userId]);
    const id = await addTask(orphan, { attemptCount: 1 });
    await expectEventually(async () =>
      expect(await task(id)).toMatchObject({
        status: 'failed',
        retry_count: 1,
        error_log: `user ${orphan.userId} has no active conversation`,
      }),
    );
  });

  it('retries a failing task with backoff up to max_retries, then marks it failed with the error', async () => {
    const user = await seedUser(db.pool);
    const id = await addTask(user, { attemptCount: 1, note: 'inject-failure' }, { maxRetries: 3 });
    await expectEventually(async () =>
      expect(await task(id)).toMatchObject({ status: 'failed', retry_count: 3, error_log: 'injected insert failure' }),
    );
    const rows = await db.pool.query(`SELECT 1 FROM messages WHERE user_id = $1`, [user.userId]);
    expect(rows.rowCount).toBe(0);
  });

  it('puts a failed attempt off by the backoff delay, not straight back in line', async () => {
    const user = await seedUser(db.pool);
    const id = await addTask(user, { attemptCount: 1, note: 'inject-failure' }, { maxRetries: 1000 });
    await expectEventually(async () => expect((await task(id)).retry_count).toBeGreaterThanOrEqual(1));
    const row = await db.pool.query<{ status: string; delay_ms: number }>(
      `SELECT status, extract(epoch FROM scheduled_for - last_attempted_at) * 1000 AS delay_ms FROM agent_tasks WHERE id = $1`,
      [id],
    );
    await db.pool.query(`UPDATE agent_tasks SET status = 'cancelled' WHERE id = $1`, [id]);
    // RETRY_BASE_DELAY_MS=50 with jitter in [d/2, d]: at least 25 ms after the failed attempt.
    expect(row.rows[0].status).toBe('pending');
    expect(Number(row.rows[0].delay_ms)).toBeGreaterThanOrEqual(25);
  });

  it('runs each due task once when runners race for them', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => seedUser(db.pool)));
    const ids = await Promise.all(users.map((user) => addTask(user, { attemptCount: 1 })));
    const runner = app.get(AgentTaskRunner);
    const signal = new AbortController().signal;
    await Promise.all([runner.runDue(signal), runner.runDue(signal), runner.runDue(signal)]);
    await expectEventually(async () => {
      for (const id of ids) expect((await task(id)).status).toBe('completed');
    });
    const perUser = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE role = 'system' AND user_id = ANY($1::uuid[]) GROUP BY user_id`,
      [users.map((user) => user.userId)],
    );
    expect(perUser.rows.map((row) => row.n)).toEqual(users.map(() => 1));
  });
});
