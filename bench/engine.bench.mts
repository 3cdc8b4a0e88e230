import pg from 'pg';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { percentiles, round } from './lib/stats.mts';
import { burstPlan, drive, LOAD_MESSAGES_PER_USER, LOAD_USERS } from './lib/workload.mts';

export const LATENCY_SAMPLES = 300;
export { LOAD_MESSAGES_PER_USER, LOAD_USERS } from './lib/workload.mts';

export interface PipelineResult {
  instances: number;
  /** Which model the agents ran on. */
  model: 'local' | 'claude-stand-in';
  /**
   * With a model over HTTP: the same idle latency minus the time spent in model calls
   * (agent_actions_log llm_call latency), i.e. the turn's own overhead.
   */
  idleOverheadMs?: ReturnType<typeof percentiles>;
  /** Row committed → reply committed, one text at a time (ms). */
  idleLatencyMs: ReturnType<typeof percentiles>;
  /** Under the burst load: each burst's commit → the reply of the turn that answered its first text (ms). */
  loadLatencyMs: ReturnType<typeof percentiles>;
  messages: number;
  turns: number;
  bursts: number;
  /** Bursts whose first text could be matched to its reply (all, unless something is wrong). */
  burstsMeasured: number;
  messagesPerSecond: number;
  turnsPerSecond: number;
}

/** Bench instrumentation: a NOTIFY when a reply commits, so latency is read at commit time, not polled. */
export async function installReplyNotify(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE OR REPLACE FUNCTION bench_reply_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('bench_reply', NEW.reply_to_message_id::text); RETURN NULL; END $$;
    CREATE TRIGGER bench_reply_notify AFTER INSERT ON messages FOR EACH ROW
      WHEN (NEW.direction = 'outbound' AND NEW.sequence_index = 0) EXECUTE FUNCTION bench_reply_notify();`);
}

export async function seedUsers(
  pool: pg.Pool,
  count: number,
  prefix: string,
): Promise<Array<{ userId: string; conversationId: string }>> {
  const { rows } = await pool.query<{ user_id: string; conversation_id: string }>(
    `WITH u AS (
       INSERT INTO users (phone_number, verified, poc_agent_type)
       SELECT '+1' || $2 || lpad(g::text, 6, '0'), false, 'bouncer' FROM generate_series(1, $1) g RETURNING id, phone_number)
     INSERT INTO conversations (user_id, phone_number) SELECT id, phone_number FROM u RETURNING user_id, id AS conversation_id`,
    [count, prefix],
  );
  return rows.map((row) => ({ userId: row.user_id, conversationId: row.conversation_id }));
}

export async function benchPipeline(
  serverUrl: string,
  instances: number,
  env: Record<string, string>,
  model: PipelineResult['model'] = 'local',
): Promise<PipelineResult> {
  const url = await createDatabase(serverUrl, `bench_pipeline_${instances}_${model.replace(/-/g, '_')}`, true);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Idle clients cut when the benchmark stops PostgreSQL are not a failure.
  pool.on('error', () => undefined);
  await installReplyNotify(pool);
  const services = await Promise.all(
    Array.from({ length: instances }, (_, i) =>
      BenchService.start({ DATABASE_URL: url, INSTANCE_ID: `bench-${i}`, ...env }),
    ),
  );
  await Promise.all(services.map((service) => service.waitConnected()));

  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  await listener.query('LISTEN bench_reply');
  const replied = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  listener.on('notification', ({ payload }) => {
    if (!payload) return;
    replied.set(payload, performance.now());
    waiters.get(payload)?.();
  });

  const insert = async (
    client: pg.Pool | pg.PoolClient,
    user: { userId: string; conversationId: string },
    content: string,
  ) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
       VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', clock_timestamp()) RETURNING id`,
      [user.conversationId, user.userId, content],
    );
    return rows[0].id;
  };

  // 1. One text at a time: the pipeline's own overhead with nothing else going on.
  const idleUsers = await seedUsers(pool, LATENCY_SAMPLES, `2${instances}`);
  const idle: number[] = [];
  const idleByUser = new Map<string, number>();
  for (const user of idleUsers) {
    const committedAt = { at: 0 };
    let id = '';
    const done = new Promise<void>((resolve) => {
      const check = () => (id && replied.has(id) ? resolve() : undefined);
      insert(pool, user, 'hello').then((messageId) => {
        committedAt.at = performance.now();
        id = messageId;
        waiters.set(id, resolve);
        check();
      }, resolve);
    });
    await done;
    const latency = Math.max(0, replied.get(id)! - committedAt.at);
    idle.push(latency);
    idleByUser.set(user.userId, latency);
  }
  const { rows: modelTime } = await pool.query<{ user_id: string; ms: number }>(
    `SELECT user_id, sum(latency_ms)::int AS ms FROM agent_actions_log WHERE action_type = 'llm_call' AND user_id = ANY($1::uuid[]) GROUP BY user_id`,
    [[...idleByUser.keys()]],
  );
  const overhead = modelTime.map((row) => Math.max(0, idleByUser.get(row.user_id)! - row.ms));

  // 2. Bursts: 200 users x 10 texts, 1-4 texts per transaction, as fast as 8 connections insert.
  const loadUsers = await seedUsers(pool, LOAD_USERS, `3${instances}`);
  const plan = burstPlan();
  const bursts: Array<{ firstId: string; committedAt: number }> = [];
  const started = performance.now();
  await drive(plan, async ({ user, size }) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const ids: string[] = [];
      for (let k = 0; k < size; k += 1) ids.push(await insert(client, loadUsers[user], `text ${k}`));
      await client.query('COMMIT');
      bursts.push({ firstId: ids[0], committedAt: performance.now() });
    } finally {
      client.release();
    }
  });
  const total = LOAD_USERS * LOAD_MESSAGES_PER_USER;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
    );
    if (rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error('load did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Which turn answered each text: the reply committed in the same transaction that marked the text
  // done, so its created_at (the transaction's start) equals the text's processed_at.
  const { rows: answeredBy } = await pool.query<{ text_id: string; reply_to: string }>(
    `SELECT i.id AS text_id, r.reply_to_message_id AS reply_to
     FROM messages i JOIN messages r ON r.direction = 'outbound' AND r.sequence_index = 0
       AND r.user_id = i.user_id AND r.created_at = i.processed_at
     WHERE i.direction = 'inbound' AND i.content LIKE 'text %'`,
  );
  const turnOf = new Map(answeredBy.map((row) => [row.text_id, row.reply_to]));
  const turnIds = new Set(answeredBy.map((row) => row.reply_to));
  // Let the last notifications arrive before reading them.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const loadLatency = bursts
    .map(({ firstId, committedAt }) => (replied.get(turnOf.get(firstId) ?? '') ?? NaN) - committedAt)
    .filter(Number.isFinite);
  const lastReply = Math.max(...[...turnIds].map((id) => replied.get(id) ?? 0));
  const seconds = (lastReply - started) / 1000;

  await listener.end();
  await Promise.all(services.map((service) => service.stop()));
  await pool.end();
  return {
    instances,
    model,
    ...(overhead.length > 0 ? { idleOverheadMs: percentiles(overhead) } : {}),
    idleLatencyMs: percentiles(idle),
    loadLatencyMs: percentiles(loadLatency),
    messages: total,
    turns: turnIds.size,
    bursts: bursts.length,
    burstsMeasured: loadLatency.length,
    messagesPerSecond: round(total / seconds),
    turnsPerSecond: round(turnIds.size / seconds),
  };
}
