import pg from 'pg';
import { installReplyNotify, seedUsers } from './engine.bench.mts';
import { createDatabase } from './lib/postgres.mts';
import { BenchService } from './lib/service.mts';
import { percentiles, round } from './lib/stats.mts';

/** Events in the storm, all written at once: more than the engine's wait queue holds. */
export const STORM_EVENTS = 4000;
/** Texts sent during the storm, one at a time, each by a new user. */
export const STORM_TEXTS = 40;
/** Gap between two texts. */
const TEXT_GAP_MS = 75;

export interface StormMode {
  name: string;
  priority: boolean;
  /** Inbound row committed → first reply row committed (ms), texts sent while events were pending. */
  replyLatencyMs: ReturnType<typeof percentiles>;
  /** Texts sent (all during the storm, unless `textsAfterStorm` says otherwise). */
  texts: number;
  /** Texts committed when the storm had already drained (left out of the latency). */
  textsAfterStorm: number;
  /** Storm written → last event done (s), and events per second over it. */
  stormSeconds: number;
  eventsPerSecond: number;
}

export interface EventStormResult {
  events: number;
  eventType: string;
  concurrency: number;
  modes: StormMode[];
}

/**
 * One instance, a storm of handled events written in one statement, and texts arriving one by
 * one while it drains: the reply latency of the texts, with user-turn priority on and off.
 */
async function runMode(
  serverUrl: string,
  env: Record<string, string>,
  name: string,
  priority: boolean,
  round_: number,
): Promise<StormMode> {
  const url = await createDatabase(serverUrl, `bench_storm_${priority ? 'on' : 'off'}_${round_}`, true);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  await installReplyNotify(pool);
  const stormUsers = await seedUsers(pool, 200, `5${priority ? 1 : 0}${round_}`);
  const textUsers = await seedUsers(pool, STORM_TEXTS, `6${priority ? 1 : 0}${round_}`);
  const service = await BenchService.start({
    DATABASE_URL: url,
    INSTANCE_ID: `bench-storm-${priority ? 'on' : 'off'}`,
    ...env,
    TURN_PRIORITY: String(priority),
  });
  await service.waitConnected();

  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  await listener.query('LISTEN bench_reply');
  const replied = new Map<string, number>();
  listener.on('notification', ({ payload }) => {
    if (payload) replied.set(payload, performance.now());
  });

  const stormStarted = performance.now();
  await pool.query(
    `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_by)
     SELECT 'user.message.received', u.user_id, 'user',
            jsonb_build_object('userId', u.user_id, 'conversationId', u.conversation_id), 'bench'
     FROM generate_series(1, $1) g
     JOIN unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS u(user_id, conversation_id, n) ON u.n = 1 + g % $4`,
    [STORM_EVENTS, stormUsers.map((u) => u.userId), stormUsers.map((u) => u.conversationId), stormUsers.length],
  );
  const pendingEvents = async () =>
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE processing_state <> 'done'`)).rows[0]
      .n;

  const sent: Array<{ id: string; committedAt: number; duringStorm: boolean }> = [];
  for (const user of textUsers) {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
       VALUES ($1, $2, 'user', 'hello', 'inbound', 'delivered', clock_timestamp()) RETURNING id`,
      [user.conversationId, user.userId],
    );
    const committedAt = performance.now();
    sent.push({ id: rows[0].id, committedAt, duringStorm: (await pendingEvents()) > 0 });
    await new Promise((resolve) => setTimeout(resolve, TEXT_GAP_MS));
  }
  const deadline = Date.now() + 180_000;
  let stormEnded = 0;
  for (;;) {
    const [events, texts] = await Promise.all([
      pendingEvents(),
      pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state <> 'done'`,
      ),
    ]);
    if (events === 0 && stormEnded === 0) stormEnded = performance.now();
    if (events === 0 && texts.rows[0].n === 0) break;
    if (Date.now() > deadline) throw new Error('event storm did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The last event's commit, read from the database rather than the 20 ms poll.
  const { rows: last } = await pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM max(processed_at) - min(created_at)) * 1000 AS ms FROM events`,
  );
  // Let the last reply notifications arrive before reading them.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const during = sent.filter((text) => text.duringStorm);
  const latency = during.map((text) => (replied.get(text.id) ?? NaN) - text.committedAt).filter(Number.isFinite);
  await listener.end();
  await service.stop();
  await pool.end();
  const stormSeconds = Number(last[0].ms) > 0 ? Number(last[0].ms) / 1000 : (stormEnded - stormStarted) / 1000;
  return {
    name,
    priority,
    replyLatencyMs: percentiles(latency),
    texts: sent.length,
    textsAfterStorm: sent.length - during.length,
    stormSeconds: round(stormSeconds, 2),
    eventsPerSecond: round(STORM_EVENTS / stormSeconds),
  };
}

export async function benchEventStorm(serverUrl: string, env: Record<string, string>): Promise<EventStormResult> {
  const modes: StormMode[] = [];
  // Reference first, then priority, twice: a slow stretch of the shared machine hits both.
  for (const round_ of [1, 2]) {
    modes.push(await runMode(serverUrl, env, 'one first-come lane (TURN_PRIORITY=false)', false, round_));
    modes.push(await runMode(serverUrl, env, 'user turns first (TURN_PRIORITY=true, the default)', true, round_));
  }
  return { events: STORM_EVENTS, eventType: 'user.message.received', concurrency: Number(env.MAX_CONCURRENCY), modes };
}
