import { lockClaims } from '../support/claims-lock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import { ScriptedModel } from '../support/scripted-model';
import { ServiceProcess } from '../support/service-process';
import { auditReplies, installTurnAudit } from '../support/turn-audit';

const LEASE_MS = '1000';

/**
 * The fencing scenario of the chaos run, made deterministic: instance A holds a turn and waits for
 * the model's last answer; A is frozen (SIGSTOP) with that answer on its socket; the lease
 * expires; B takes the user's texts over (the old one and a new one) and answers them; A thaws and
 * tries its late commit. The fence must refuse it. With the fence broken on purpose
 * (TEST_BREAK_FENCE), the user is answered twice although every text is marked done once, and the
 * reply audit must see it: this proves the chaos run's invariants can fail.
 */
describe('a late commit after SIGSTOP past the lease', () => {
  let db: TestDatabase;
  let models: ScriptedModel[] = [];
  const services: ServiceProcess[] = [];

  const start = async (name: string, model: ScriptedModel, env: Record<string, string>) => {
    const service = await ServiceProcess.start({
      DATABASE_URL: db.url,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.baseURL,
      INSTANCE_ID: name,
      CLAIM_LEASE_MS: LEASE_MS,
      // Longer than the freeze: the late commit, not the turn timeout, decides the outcome.
      TURN_TIMEOUT_MS: '60000',
      SWEEP_INTERVAL_MS: '200',
      ...env,
    });
    services.push(service);
    await service.waitUntilHealthy();
    return service;
  };
  const states = async (ids: string[]) =>
    (
      await db.pool.query<{ processing_state: string }>(
        `SELECT processing_state FROM messages WHERE id = ANY($1::uuid[]) ORDER BY created_at`,
        [ids],
      )
    ).rows.map((row) => row.processing_state);

  beforeEach(async () => {
    db = await createTestDatabase();
    await installTurnAudit(db.pool);
    models = [await ScriptedModel.start(), await ScriptedModel.start()];
  });

  afterEach(async () => {
    for (const service of services) service.child.kill('SIGCONT');
    await Promise.all(services.splice(0).map((service) => service.stop('SIGKILL')));
    await Promise.all(models.map((model) => model.standIn.stop()));
    await db.drop();
  });

  /** Runs the scenario; returns the frozen instance and the two texts. */
  async function lateCommit(env: Record<string, string>) {
    const frozen = await start('frozen', models[0], env);
    const user = await seedUser(db.pool);
    const held = models[0].holdNextRender();
    const [first] = await insertInbound(db.pool, user, ['Sarah Chen told me about this']);
    await held.arrived;
    frozen.child.kill('SIGSTOP');
    held.release();
    const [second] = await insertInbound(db.pool, user, ["I'm Jane Doe"]);

    const taker = await start('taker', models[1], env);
    await expectEventually(async () => expect(await states([first, second])).toEqual(['done', 'done']), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    // Thaw it with its lease renewal held up, so its commit reaches the fence before the renewal
    // can report the claim lost: the fence alone decides.
    const lock = await lockClaims(db.pool);
    frozen.child.kill('SIGCONT');
    await expectEventually(async () => expect(await lock.waitingCommits()).toBeGreaterThan(0), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await lock.release();
    // The thawed turn ends one way or the other: refused as stale, or (fence broken) committed.
    const outcome = await expectEventually(
      () => {
        const line = frozen.logs().find((l) => l.event === 'turn_stale' || l.event === 'message_processed');
        if (!line) throw new Error('the thawed instance has not finished its turn yet');
        return line;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const takerTurns = taker.logs().filter((line) => line.event === 'message_processed');
    return { first, second, outcome, takerTurns };
  }

  it('refuses the late commit: one reply group per committed token, every text answered once', async () => {
    const { first, second, outcome, takerTurns } = await lateCommit({});
    expect(outcome).toMatchObject({ event: 'turn_stale', message: expect.stringContaining('before commit') });
    expect(takerTurns).toEqual([expect.objectContaining({ messageIds: [first, second] })]);

    const audit = await auditReplies(db.pool);
    expect(audit.groups).toHaveLength(1);
    expect(audit.groupsWithoutOneToken).toEqual([]);
    expect(audit.doubleAnswered).toEqual([]);
    expect(audit.lost).toEqual([]);
    expect(audit.overlaps).toEqual([]);
  }, 180_000);

  it('with the fence broken (TEST_BREAK_FENCE), the audit sees the double answer the unique key misses', async () => {
    const { first, outcome } = await lateCommit({ TEST_BREAK_FENCE: 'true' });
    expect(outcome).toMatchObject({ event: 'message_processed', messageIds: [first] });
    // Each text was marked done exactly once: the old "duplicates" count saw nothing wrong.
    const doneMarks = await db.pool.query(
      `SELECT message_id FROM test_turn_audit WHERE transition = 'done' GROUP BY message_id HAVING count(*) > 1`,
    );
    expect(doneMarks.rows).toEqual([]);

    const audit = await auditReplies(db.pool);
    expect(audit.groups).toHaveLength(2);
    expect(audit.groupsWithoutOneToken).toEqual([expect.objectContaining({ replyTo: first, committedBy: [] })]);
    expect(audit.doubleAnswered).toEqual([first]);
    // The stale token's late write stretches its attempt over the new owner's.
    const stale = audit.groupsWithoutOneToken[0].writer;
    expect(stale).not.toBeNull();
    expect(audit.overlaps.length).toBeGreaterThan(0);
    expect(audit.overlaps.every((overlap) => overlap.first === stale)).toBe(true);
    expect(audit.lost).toEqual([]);
  }, 180_000);
});
