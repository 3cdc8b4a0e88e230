import { EnvironmentError, validateEnvironment } from '../../src/config/environment';
import type { TestingModule } from '@nestjs/testing';
import { EventRepository } from '../../src/routing/event.repository';
import { TurnRepository } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertEvent, insertInbound, seedUser } from '../support/seed';
import { repositoryModule } from './repository-module';

const API_KEY = 'sk-ant-api03-hardening-secret-value-0123456789';
const ECHOED = `401 {"type":"error","error":{"message":"invalid x-api-key ${API_KEY}"}} Authorization: Bearer ${API_KEY}`;

/** Error texts kept in rows are scrubbed like log lines: a provider error that echoed the key is stored without it. */
describe('secrets at rest', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await repositoryModule(db.url, { ANTHROPIC_API_KEY: API_KEY });
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  it('scrubs messages.last_error and the agent_actions_log row of a failed turn', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hello']);
    const turns = moduleRef.get(TurnRepository);
    const claim = await turns.claim(user.userId, id, 'worker-a', 60_000, 20);
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    await turns.fail(claim.turn, ECHOED, 1, 0);

    const message = await db.pool.query(`SELECT last_error FROM messages WHERE id = $1`, [id]);
    expect(message.rows[0].last_error).toContain('invalid x-api-key');
    const log = await db.pool.query(`SELECT error FROM agent_actions_log WHERE user_id = $1`, [user.userId]);
    expect(log.rows).toHaveLength(1);
    for (const text of [message.rows[0].last_error as string, log.rows[0].error as string]) {
      expect(text).not.toContain(API_KEY);
      expect(text).toContain('[REDACTED]');
    }
  });

  it('scrubs events.last_error and event_dead_letters.error_message', async () => {
    const eventId = await insertEvent(db.pool, 'user.verified', { note: 'x' });
    const events = moduleRef.get(EventRepository);
    const claim = await events.claim(eventId, 'worker-a', 60_000, [], ['user.verified']);
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    expect(await events.fail(claim.claimed, ECHOED, 1, 0)).toBe('dead');

    const row = await db.pool.query(`SELECT last_error FROM events WHERE id = $1`, [eventId]);
    const letter = await db.pool.query(`SELECT error_message FROM event_dead_letters WHERE event_id = $1`, [eventId]);
    for (const text of [row.rows[0].last_error as string, letter.rows[0].error_message as string]) {
      expect(text).not.toContain(API_KEY);
      expect(text).toContain('[REDACTED]');
    }
  });

  it('scrubs the error of an agent_actions_log row an outcome carries', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['hi']);
    const turns = moduleRef.get(TurnRepository);
    const claim = await turns.claim(user.userId, id, 'worker-a', 60_000, 20);
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    await turns.commit(claim.turn, {
      agent: 'bouncer',
      outcome: {
        replies: [],
        actions: [],
        events: [],
        logs: [{ agent_type: 'bouncer', action_type: 'llm_call', user_id: user.userId, error: ECHOED }],
      },
    });
    const log = await db.pool.query(`SELECT error FROM agent_actions_log WHERE user_id = $1`, [user.userId]);
    expect(log.rows[0].error).not.toContain(API_KEY);
  });
});

describe('SUPABASE_SERVICE_ROLE_KEY validation', () => {
  const problemsWith = (key: string | undefined): string[] => {
    try {
      validateEnvironment({ SUPABASE_URL: 'https://project.supabase.co', SUPABASE_SERVICE_ROLE_KEY: key });
      return [];
    } catch (error) {
      if (error instanceof EnvironmentError) return error.problems;
      throw error;
    }
  };

  it('says a short key is too short, not that it is unset', () => {
    expect(problemsWith('Sk7-short')).toEqual([expect.stringMatching(/SUPABASE_SERVICE_ROLE_KEY is too short/)]);
    expect(problemsWith('Sk7-short').join()).not.toMatch(/must be set/);
  });

  it('says a missing key must be set, once', () => {
    expect(problemsWith(undefined)).toEqual([expect.stringMatching(/SUPABASE_SERVICE_ROLE_KEY must be set/)]);
  });
});
