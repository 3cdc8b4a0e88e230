import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { Pool } from 'pg';
import { validateEnvironment, type Environment } from '../../src/config/environment';
import { DatabaseService } from '../../src/database/database.service';
import { Clock } from '../../src/messaging/clock';
import { DispatchMetrics } from '../../src/messaging/dispatch-metrics';
import { MessageDispatcher } from '../../src/messaging/message-dispatcher';
import { MessagingModule } from '../../src/messaging/messaging.module';
import { QueuedMessageSender } from '../../src/messaging/queued-message.sender';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser, type SeededUser } from '../support/seed';
import { ManualClock } from './manual-clock';

export interface QueueRowState {
  id: string;
  status: string;
  scheduled_for: Date;
  sent_at: Date | null;
  status_reason: string | null;
  superseded_reason: string | null;
  final_message: string | null;
  priority: string;
  delivered_message_id: string | null;
}

export interface QueueInsert {
  text: string | null;
  /** `message_data`, rendered when there is no text. */
  data?: unknown;
  priority?: string;
  scheduledFor?: Date;
  agentId?: string | null;
  subject?: string | null;
  requiresFreshContext?: boolean;
  sequence?: { id: string; position: number | null; total: number | null };
  createdAt?: Date;
}

/**
 * MessagingModule on a fresh database with a clock the test controls. The module is not started
 * (no LISTEN, no timers): the test runs each dispatcher pass itself with `dispatch()`, so every
 * rule is checked at an exact instant.
 */
export class MessagingHarness {
  private constructor(
    readonly db: TestDatabase,
    private readonly moduleRef: TestingModule,
    readonly dispatcher: MessageDispatcher,
    readonly clock: ManualClock,
  ) {}

  /** `env`: more configuration, e.g. ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL to render through the stand-in. */
  static async start(now: string, env: Record<string, string> = {}): Promise<MessagingHarness> {
    const db = await createTestDatabase();
    const config = new ConfigService<Environment, true>(validateEnvironment({ NODE_ENV: 'test', ...env }));
    Reflect.set(config, 'skipProcessEnv', true);
    const database = new DatabaseService(new Pool({ connectionString: db.url, max: 4 }), db.url);
    const clock = new ManualClock(now);
    const moduleRef = await Test.createTestingModule({
      imports: [
        {
          module: class TestWorldModule {},
          global: true,
          providers: [
            { provide: ConfigService, useValue: config },
            { provide: DatabaseService, useValue: database },
          ],
          exports: [ConfigService, DatabaseService],
        },
        MessagingModule,
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .setLogger({ log: () => undefined, warn: () => undefined, error: () => undefined })
      .compile();
    return new MessagingHarness(db, moduleRef, moduleRef.get(MessageDispatcher), clock);
  }

  async newUser(fields: { timezone?: string; quietStart?: string; quietEnd?: string } = {}): Promise<SeededUser> {
    const user = await seedUser(this.db.pool, { verified: true, poc_agent_type: 'concierge' });
    await this.db.pool.query(
      `UPDATE users SET timezone = $2, quiet_hours_start = $3, quiet_hours_end = $4 WHERE id = $1`,
      [user.userId, fields.timezone ?? 'America/New_York', fields.quietStart ?? null, fields.quietEnd ?? null],
    );
    return user;
  }

  /** A raw queue row, as any writer (ours or outside) could insert it. */
  async queue(user: { userId: string } | null, row: QueueInsert): Promise<string> {
    const result = await this.db.pool.query<{ id: string }>(
      `INSERT INTO message_queue (user_id, agent_id, final_message, priority, scheduled_for, subject,
         requires_fresh_context, sequence_id, sequence_position, sequence_total, created_at, message_data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE($11, clock_timestamp()), $12) RETURNING id`,
      [
        user?.userId ?? null,
        row.agentId === undefined ? 'concierge' : row.agentId,
        row.text,
        row.priority ?? 'medium',
        row.scheduledFor ?? this.clock.now(),
        row.subject ?? null,
        row.requiresFreshContext ?? false,
        row.sequence?.id ?? null,
        row.sequence?.position ?? null,
        row.sequence?.total ?? null,
        row.createdAt ?? null,
        row.data === undefined ? null : JSON.stringify(row.data),
      ],
    );
    return result.rows[0].id;
  }

  /** An inbound text from the user at the clock's current time. */
  async userTexted(user: SeededUser, content = 'hey'): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at, processing_state)
       VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', $4, 'done')`,
      [user.conversationId, user.userId, content, this.clock.now()],
    );
  }

  /** The dispatcher's metrics registry as /metrics would export it. */
  async decided(priority: string, outcome: string): Promise<number> {
    const metric = await this.moduleRef
      .get(DispatchMetrics)
      .registry.getSingleMetric('realtime_processor_queue_sent_total')!
      .get();
    return metric.values.find((v) => v.labels.priority === priority && v.labels.outcome === outcome)?.value ?? 0;
  }

  /** The sender of one unit, as each instance's dispatcher runs it. */
  get sender(): QueuedMessageSender {
    return this.moduleRef.get(QueuedMessageSender);
  }

  dispatch(): ReturnType<MessageDispatcher['dispatchDue']> {
    return this.dispatcher.dispatchDue();
  }

  async row(id: string): Promise<QueueRowState> {
    const { rows } = await this.db.pool.query<QueueRowState>(
      `SELECT id, status, scheduled_for, sent_at, status_reason, superseded_reason, final_message, priority,
              delivered_message_id
         FROM message_queue WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Outbound texts of the user, in the order they were written. */
  async outbound(user: SeededUser): Promise<{ content: string; role: string; queue_message_id: string | null }[]> {
    const { rows } = await this.db.pool.query<{ content: string; role: string; queue_message_id: string | null }>(
      `SELECT m.content, m.role, m.queue_message_id FROM messages m
         LEFT JOIN message_queue q ON q.id = m.queue_message_id
        WHERE m.user_id = $1 AND m.direction = 'outbound'
        ORDER BY q.sent_at, m.created_at, q.sequence_position`,
      [user.userId],
    );
    return rows;
  }

  async sentTexts(user: SeededUser): Promise<string[]> {
    return (await this.outbound(user)).map((row) => row.content);
  }

  async close(): Promise<void> {
    await this.moduleRef.close();
    await this.db.drop();
  }
}
