import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './database';
import { insertEvent, seedUser, type SeededUser } from './seed';
import { auditWorkflows, installEventAudit, type WorkflowAuditOptions } from './workflow-audit';

/**
 * The workflow audit of the chaos run on hand-written histories: the engine's event transitions
 * and the workflows' writes replayed in SQL, so each check is shown to pass on a clean history and
 * to fail on the breach it exists to catch.
 */
describe('auditWorkflows', () => {
  let db: TestDatabase;
  let user: SeededUser;
  const options = (expectDead: string[] = []): WorkflowAuditOptions => ({
    handledTypes: ['intro.opportunity_completed'],
    expectDead,
  });

  beforeEach(async () => {
    db = await createTestDatabase();
    await installEventAudit(db.pool);
    user = await seedUser(db.pool);
  });

  afterEach(async () => {
    await db.drop();
  });

  const event = () => insertEvent(db.pool, 'intro.opportunity_completed', { introOpportunityId: randomUUID() });
  const claim = (id: string) =>
    db.pool.query(`UPDATE events SET processing_state = 'processing', attempts = attempts + 1 WHERE id = $1`, [id]);
  const done = (id: string) =>
    db.pool.query(`UPDATE events SET processing_state = 'done', processed = true, last_error = NULL WHERE id = $1`, [
      id,
    ]);
  const retry = (id: string) =>
    db.pool.query(
      `UPDATE events SET processing_state = 'pending', last_error = 'canceling statement due to lock timeout',
         next_attempt_at = now() + interval '1 second' WHERE id = $1`,
      [id],
    );
  const dead = async (id: string, reason: string | null) => {
    await db.pool.query(`UPDATE events SET processing_state = 'dead', last_error = $2 WHERE id = $1`, [id, reason]);
    await db.pool.query(
      `INSERT INTO event_dead_letters (event_id, event_type, payload, error_message, retry_count, original_created_at)
       SELECT id, event_type, payload, coalesce($2, ''), attempts, created_at FROM events WHERE id = $1`,
      [id, reason],
    );
  };
  const credit = (key: string, amount: number) =>
    db.pool.query(
      `WITH c AS (INSERT INTO credit_events (user_id, event_type, amount, idempotency_key) VALUES ($1, 'intro_completed', $2, $3))
       UPDATE users SET credit_balance = credit_balance + $2 WHERE id = $1`,
      [user.userId, amount, key],
    );
  const queueText = (data: Record<string, unknown>) =>
    db.pool.query(
      `INSERT INTO message_queue (user_id, agent_id, message_data, final_message, scheduled_for, priority,
         sequence_id, sequence_position, sequence_total, subject)
       VALUES ($1, 'concierge', $2, 'Thanks for introducing Dana Reyes.', now() + interval '1 hour', 'medium',
         gen_random_uuid(), 0, 1, $3)`,
      [user.userId, data, `intro_opportunity:${String(data.introOpportunityId)}`],
    );

  /** A history every check accepts: one event retried then done, one dead on purpose, one credit, one text. */
  async function cleanHistory(): Promise<{ retried: string; bad: string }> {
    const retried = await event();
    await claim(retried);
    await retry(retried);
    await claim(retried);
    await done(retried);
    const bad = await event();
    await claim(bad);
    await dead(bad, `intro opportunity ${randomUUID()} does not exist`);
    // An event type nobody here handles stays pending, untouched: not ours, not lost.
    await insertEvent(db.pool, 'community.request_routed', {});
    await credit(`intro.completed:${randomUUID()}:${user.userId}`, 50);
    await queueText({ kind: 'intro_opportunity_completed', introOpportunityId: randomUUID() });
    return { retried, bad };
  }

  it('passes a clean history and counts its retried event', async () => {
    const { bad } = await cleanHistory();
    const audit = await auditWorkflows(db.pool, options([bad]));
    expect(audit).toEqual({
      eventsRetried: 1,
      retries: 1,
      eventsFinishedTwice: [],
      eventsUnfinished: [],
      notOursTouched: [],
      deadWithoutReason: [],
      unexpectedDead: [],
      expectedDeadNotDead: [],
      balanceMismatches: [],
      credits: 1,
      duplicateCreditKeys: [],
      duplicatePriorities: [],
      textsQueuedTwice: [],
    });
  });

  it('sees no retry when nothing failed', async () => {
    const id = await event();
    await claim(id);
    await done(id);
    expect((await auditWorkflows(db.pool, options())).eventsRetried).toBe(0);
  });

  it('reports an event handled twice, and one left unfinished', async () => {
    const { bad } = await cleanHistory();
    const twice = await event();
    await claim(twice);
    await done(twice);
    await db.pool.query(`UPDATE events SET processing_state = 'pending' WHERE id = $1`, [twice]);
    await claim(twice);
    await done(twice);
    const stuck = await event();
    await claim(stuck);
    const neverClaimed = await event();
    const audit = await auditWorkflows(db.pool, options([bad]));
    expect(audit.eventsFinishedTwice).toEqual([twice]);
    expect(audit.eventsUnfinished.sort()).toEqual([stuck, neverClaimed].sort());
  });

  it('reports an event of a type without a handler that was claimed or finished anyway', async () => {
    const { bad } = await cleanHistory();
    const claimed = await insertEvent(db.pool, 'community.request_routed', {});
    await claim(claimed);
    const consumed = await insertEvent(db.pool, 'innovator.profile_updated', {});
    await db.pool.query(`UPDATE events SET processed = true WHERE id = $1`, [consumed]);
    expect((await auditWorkflows(db.pool, options([bad]))).notOursTouched.sort()).toEqual([claimed, consumed].sort());
  });

  it('reports a dead event without its reason, an unexpected death and a bad event that did not die', async () => {
    const { bad } = await cleanHistory();
    const silent = await event();
    await claim(silent);
    await dead(silent, null);
    const expected = await event();
    await claim(expected);
    await done(expected);
    const audit = await auditWorkflows(db.pool, options([bad, expected]));
    expect(audit.deadWithoutReason).toEqual([silent]);
    expect(audit.unexpectedDead).toEqual([silent]);
    expect(audit.expectedDeadNotDead).toEqual([expected]);
  });

  it('reports a balance that differs from its ledger', async () => {
    const { bad } = await cleanHistory();
    await db.pool.query(`UPDATE users SET credit_balance = credit_balance + 50 WHERE id = $1`, [user.userId]);
    expect((await auditWorkflows(db.pool, options([bad]))).balanceMismatches).toEqual([
      { userId: user.userId, balance: 100, ledger: 50 },
    ]);
  });

  it('reports a credit key, a priority and a close-the-loop text applied twice', async () => {
    const { bad } = await cleanHistory();
    // The schema's unique keys refuse these today; the audit must not depend on them.
    await db.pool.query(`ALTER TABLE credit_events DROP CONSTRAINT credit_events_idempotency_key_key`);
    await db.pool.query(`ALTER TABLE user_priorities DROP CONSTRAINT user_priorities_user_id_item_type_item_id_key`);
    const key = `intro.completed:${randomUUID()}:${user.userId}`;
    await credit(key, 50);
    await credit(key, 50);
    const item = randomUUID();
    for (let i = 0; i < 2; i += 1)
      await db.pool.query(
        `INSERT INTO user_priorities (user_id, item_type, item_id, value_score) VALUES ($1, 'intro_opportunity', $2, 60)`,
        [user.userId, item],
      );
    const text = { kind: 'intro_opportunity_completed', introOpportunityId: randomUUID() };
    await queueText(text);
    await queueText(text);
    const audit = await auditWorkflows(db.pool, options([bad]));
    expect(audit.duplicateCreditKeys).toEqual([key]);
    expect(audit.duplicatePriorities).toEqual([`${user.userId} intro_opportunity ${item}`]);
    expect(audit.textsQueuedTwice).toEqual([
      `${user.userId} intro_opportunity_completed intro_opportunity:${text.introOpportunityId}`,
    ]);
    expect(audit.balanceMismatches).toEqual([]);
  });
});
