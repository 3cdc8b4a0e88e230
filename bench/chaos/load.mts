import pg from 'pg';
import { randomInt, seededRandom } from '../../test/support/seeded-random.ts';

const ignore = () => undefined;

/** What the load's users text; the leak scan looks for them in every log line and stored error. */
export const CHAOS_TEXTS = ['hi', 'Sarah Chen told me about this', "I'm Jane Doe", 'what is this?'];
/** The proactive text the load queues (message_queue), also looked for by the leak scan. */
export const QUEUED_TEXT = 'Quick update: the intro you asked about is confirmed for Thursday.';

/**
 * An IANA zone where it is about noon now, so that no queued text is held for quiet hours during
 * the run (Etc/GMT-N is N hours ahead of UTC).
 */
export function noonZone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

export interface LoadStats {
  texts: number;
  events: number;
  /** Proactive texts queued in message_queue, each due within a few seconds. */
  queued: number;
  insertErrors: number;
}

/**
 * A steady mixed load: every tick a random user sends a burst of 1-3 texts in one transaction,
 * and now and then an event is published. Inserts that fail while the database is down are
 * counted and not retried (the webhook would get an error and Twilio would retry; the text was
 * never written, so it is not ours to lose).
 */
export class LoadGenerator {
  readonly stats: LoadStats = { texts: 0, events: 0, queued: 0, insertErrors: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private users: Array<{ userId: string; conversationId: string }> = [];
  /** Members who never text; each is queued at most one proactive text, well inside every budget. */
  private members: string[] = [];
  private readonly pool: pg.Pool;
  private random: () => number;

  constructor(url: string, seed: number) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    this.pool.on('error', () => undefined);
    this.random = seededRandom(seed);
  }

  async seedMembers(count: number): Promise<void> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `WITH u AS (
         INSERT INTO users (phone_number, verified, poc_agent_type, timezone)
         SELECT '+1777' || lpad(g::text, 7, '0'), true, 'concierge', $2 FROM generate_series(1, $1) g
         RETURNING id, phone_number)
       INSERT INTO conversations (user_id, phone_number, status) SELECT id, phone_number, 'active' FROM u RETURNING user_id`,
      [count, noonZone()],
    );
    this.members = rows.map((row) => row.user_id);
  }

  async seed(userCount: number): Promise<void> {
    const { rows } = await this.pool.query<{ user_id: string; conversation_id: string }>(
      `WITH u AS (
         INSERT INTO users (phone_number, verified, poc_agent_type)
         SELECT '+1666' || lpad(g::text, 7, '0'), g % 3 = 0, CASE WHEN g % 3 = 0 THEN 'concierge' ELSE 'bouncer' END
         FROM generate_series(1, $1) g RETURNING id, phone_number)
       INSERT INTO conversations (user_id, phone_number) SELECT id, phone_number FROM u RETURNING user_id, id AS conversation_id`,
      [userCount],
    );
    this.users = rows.map((row) => ({ userId: row.user_id, conversationId: row.conversation_id }));
  }

  start(ticksPerSecond: number): void {
    this.timer = setInterval(() => {
      const work = this.tick().finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }, 1000 / ticksPerSecond);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async tick(): Promise<void> {
    const user = this.users[Math.floor(this.random() * this.users.length)];
    const burst = randomInt(this.random, 1, 3);
    const withEvent = this.random() < 0.3;
    const queueFor = this.random() < 0.15 ? this.members.pop() : undefined;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      // The database may go away mid-transaction (a fault we inject): the next query fails instead.
      client.on('error', ignore);
      await client.query('BEGIN');
      for (let i = 0; i < burst; i += 1) {
        await client.query(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
           VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', clock_timestamp())`,
          [user.conversationId, user.userId, CHAOS_TEXTS[randomInt(this.random, 0, CHAOS_TEXTS.length - 1)]],
        );
      }
      if (withEvent) {
        await client.query(
          `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_by) VALUES ('user.message.received', $1, 'user', jsonb_build_object('userId', $1::uuid), 'chaos')`,
          [user.userId],
        );
      }
      if (queueFor) {
        // As the queue writer does it (src/messaging/message-queue.writer.ts), due in 0-3 s.
        await client.query(
          `INSERT INTO message_queue (user_id, agent_id, message_data, final_message, scheduled_for, priority,
             sequence_id, sequence_position, sequence_total, subject)
           VALUES ($1, 'concierge', '{}', $2, now() + $3 * interval '1 millisecond', 'medium',
             gen_random_uuid(), 0, 1, 'chaos_notice:' || gen_random_uuid())`,
          [queueFor, QUEUED_TEXT, Math.floor(this.random() * 3000)],
        );
      }
      await client.query('COMMIT');
      this.stats.texts += burst;
      if (withEvent) this.stats.events += 1;
      if (queueFor) this.stats.queued += 1;
    } catch {
      this.stats.insertErrors += 1;
      await client?.query('ROLLBACK').catch(() => undefined);
    } finally {
      client?.off('error', ignore);
      client?.release();
    }
  }
}
