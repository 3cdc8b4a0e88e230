import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { Pool } from 'pg';
import { ActionApplier } from '../../src/agents/action-applier';
import { AgentDispatcher } from '../../src/agents/agent-dispatcher';
import type { TurnResult } from '../../src/agents/agent.types';
import { AgentsModule } from '../../src/agents/agents.module';
import { validateEnvironment, type Environment } from '../../src/config/environment';
import { DatabaseService } from '../../src/database/database.service';
import { ClaimRepository } from '../../src/routing/claim.repository';
import { StoredTextScrubber } from '../../src/logging/stored-text.scrubber';
import { OutcomeWriter } from '../../src/routing/outcome.writer';
import { TurnRepository } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';

export interface UserRow {
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  verified: boolean;
  email_verified: boolean;
  poc_agent_type: string | null;
  referred_by: string | null;
  name_dropped: string | null;
}

export interface QueuedRow {
  agent_id: string;
  final_message: string;
  subject: string | null;
  priority: string;
  requires_fresh_context: boolean;
}

export interface TurnReport {
  result: TurnResult;
  replies: string[];
}

/**
 * AgentsModule on a fresh database, with the real engine's claim and commit (TurnRepository), so a
 * test drives whole turns: insert inbound rows → claim → AgentDispatcher.handleTurn → commit.
 * Only the outside world is chosen: the configuration (local model, or Claude at a stand-in).
 */
export class AgentsHarness {
  private constructor(
    readonly db: TestDatabase,
    private readonly moduleRef: TestingModule,
    readonly dispatcher: AgentDispatcher,
    private readonly turns: TurnRepository,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<AgentsHarness> {
    const db = await createTestDatabase();
    const config = new ConfigService<Environment, true>(validateEnvironment({ NODE_ENV: 'test', ...env }));
    // Only the configuration given here, nothing from the test process's environment (the setter
    // behind ConfigModule's `skipProcessEnv` option; private in the typings).
    Reflect.set(config, 'skipProcessEnv', true);
    const servicePool = new Pool({ connectionString: db.url, max: 4 });
    const database = new DatabaseService(servicePool, db.url);
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
        AgentsModule,
      ],
    })
      .setLogger({ log: () => undefined, warn: () => undefined, error: () => undefined })
      .compile();
    const dispatcher = moduleRef.get(AgentDispatcher);
    const scrubber = new StoredTextScrubber(config);
    const turns = new TurnRepository(
      database,
      new ClaimRepository(database, config),
      new OutcomeWriter(moduleRef.get(ActionApplier), scrubber),
      scrubber,
    );
    return new AgentsHarness(db, moduleRef, dispatcher, turns);
  }

  newUser(fields: Parameters<typeof seedUser>[1] = {}): Promise<SeededUser> {
    return seedUser(this.db.pool, fields);
  }

  /** Inserts the texts as one burst and runs the user's turn to its commit. */
  async send(user: SeededUser, texts: string[], role: 'user' | 'system' = 'user'): Promise<TurnReport> {
    const ids = await insertInbound(this.db.pool, user, texts, role);
    return this.runTurn(user.userId, ids[ids.length - 1]);
  }

  async runTurn(userId: string | null, messageId: string, signal = new AbortController().signal): Promise<TurnReport> {
    const claim = await this.turns.claim(userId, messageId, 'agents-test', 30_000, 20);
    if (claim.kind !== 'claimed') throw new Error(`could not claim the turn: ${claim.kind}`);
    const messageIds = claim.turn.messages.map((m) => m.id);
    let result: TurnResult;
    try {
      result = await this.dispatcher.handleTurn({ userId, messageIds }, { signal });
    } catch (error) {
      await this.turns.release(claim.turn);
      throw error;
    }
    if ((await this.turns.commit(claim.turn, result)) !== 'committed') throw new Error('commit was stale');
    const rows = await this.db.pool.query<{ content: string }>(
      `SELECT content FROM messages WHERE reply_to_message_id = $1 AND direction = 'outbound' ORDER BY sequence_index`,
      [messageIds[messageIds.length - 1]],
    );
    return { result, replies: rows.rows.map((row) => row.content) };
  }

  async user(userId: string): Promise<UserRow> {
    const { rows } = await this.db.pool.query<UserRow>(
      `SELECT first_name, last_name, company, title, email, verified, email_verified, poc_agent_type, referred_by, name_dropped
       FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0];
  }

  /** Proactive texts still waiting in message_queue for the user, oldest first. */
  async queued(userId: string): Promise<QueuedRow[]> {
    const { rows } = await this.db.pool.query<QueuedRow>(
      `SELECT agent_id, final_message, subject, priority, requires_fresh_context
       FROM message_queue WHERE user_id = $1 AND status = 'queued' ORDER BY created_at, sequence_position`,
      [userId],
    );
    return rows;
  }

  /** Closing the module closes the service pool (DatabaseService's shutdown hook). */
  async close(): Promise<void> {
    await this.moduleRef.close();
    await this.db.drop();
  }
}
