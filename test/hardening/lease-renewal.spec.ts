import { ConfigService } from '@nestjs/config';
import type { TestingModule } from '@nestjs/testing';
import type { PoolClient } from 'pg';
import { DatabaseService } from '../../src/database/database.service';
import { ClaimRepository } from '../../src/routing/claim.repository';
import { LeaseKeeper } from '../../src/routing/lease-keeper';
import { TurnRepository } from '../../src/routing/turn.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertInbound, seedUser } from '../support/seed';
import { repositoryModule } from './repository-module';

/** Lets I/O callbacks run (the pool hands out its connection on the next tick) while the clock is fake. */
const turnOfTheEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/** The real ClaimRepository, counting the renewals it is asked for and how many run at once. */
class CountedClaims extends ClaimRepository {
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;
  last: Promise<unknown> = Promise.resolve();

  override renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const renewal = super.renew(key, token, leaseMs).finally(() => {
      this.inFlight -= 1;
    });
    this.last = renewal.catch(() => undefined);
    return renewal;
  }
}

/**
 * A turn whose commit is blocked holds its claim row; renewals must not queue up behind it and take
 * the pool, renewals end with the work, and no statement waits on a lock for ever.
 */
describe('lease renewal and the connection pool', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  let database: DatabaseService;
  let claims: CountedClaims;
  let locker: PoolClient | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    moduleRef = await repositoryModule(db.url, { DB_LOCK_TIMEOUT_MS: '400', DB_STATEMENT_TIMEOUT_MS: '3000' });
    database = moduleRef.get(DatabaseService);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });

  beforeEach(() => {
    claims = new CountedClaims(database, moduleRef.get(ConfigService));
  });

  afterEach(async () => {
    jest.useRealTimers();
    if (locker) {
      await locker.query('ROLLBACK');
      locker.release();
      locker = null;
    }
  });

  async function takeClaim(key: string): Promise<string> {
    const token = await database.transaction((client) => claims.take(client, key, 'worker-a', 3000));
    if (token === null) throw new Error('claim not taken');
    return token;
  }

  async function lockClaimRow(key: string): Promise<void> {
    locker = await db.pool.connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM processing_claims WHERE claim_key = $1 FOR UPDATE`, [key]);
  }

  it('renews one at a time: a renewal blocked on the claim row is not joined by more', async () => {
    const key = 'test:single-flight';
    const token = await takeClaim(key);
    await lockClaimRow(key);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const errors: unknown[] = [];
    const keeper = new LeaseKeeper(claims, key, token, {
      leaseMs: 3000,
      renewForMs: 60_000,
      onError: (error) => errors.push(error),
    });
    // Ten renewal periods pass while the first renewal waits on the lock.
    for (let period = 0; period < 10; period += 1) {
      jest.advanceTimersByTime(1000);
      await turnOfTheEventLoop();
    }
    expect(claims.calls).toBeGreaterThanOrEqual(1);
    expect(claims.maxInFlight).toBe(1);
    keeper.stop();
    jest.useRealTimers();
    await claims.last;
    // The server's lock timeout or the client's query timeout (its clock is the fake one here) ended
    // each blocked renewal; it was reported, not mistaken for a lost claim.
    expect(errors).toHaveLength(claims.calls);
    for (const error of errors) expect(String(error)).toMatch(/lock timeout|Query read timeout/);
    expect(keeper.lost.aborted).toBe(false);
  });

  it('stops renewing once the work and its commit budget are over', async () => {
    const key = 'test:deadline';
    const token = await takeClaim(key);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const keeper = new LeaseKeeper(claims, key, token, { leaseMs: 3000, renewForMs: 2500, onError: () => undefined });
    for (let period = 0; period < 12; period += 1) {
      jest.advanceTimersByTime(1000);
      await claims.last;
    }
    // At 1 s, 2 s and the deadline (2.5 s); never after.
    expect(claims.calls).toBe(3);
    expect(keeper.lost.aborted).toBe(false);
    keeper.stop();
  });

  it('every pooled connection has a statement and a lock timeout', async () => {
    const settings = await database.query<{ statement_timeout: string; lock_timeout: string }>(
      `SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout`,
    );
    expect(settings).toEqual([{ statement_timeout: '3s', lock_timeout: '400ms' }]);
    await expect(database.query(`SELECT pg_sleep(5)`)).rejects.toThrow(/statement timeout/);
  });

  it('a commit whose done-marker does not find every claimed row rolls back as stale', async () => {
    const user = await seedUser(db.pool);
    const ids = await insertInbound(db.pool, user, ['one', 'two']);
    const turns = moduleRef.get(TurnRepository);
    const claim = await turns.claim(user.userId, ids[0], 'worker-a', 60_000, 20);
    if (claim.kind !== 'claimed') throw new Error(claim.kind);
    // Another path finished one of the rows meanwhile (e.g. an operator's requeue tool).
    await db.pool.query(`UPDATE messages SET processing_state = 'done', claim_token = NULL WHERE id = $1`, [ids[0]]);
    const result = await turns.commit(claim.turn, {
      agent: 'bouncer',
      outcome: { replies: ['answer'], actions: [], events: [], logs: [] },
    });
    expect(result).toBe('stale');
    const outbound = await db.pool.query(`SELECT 1 FROM messages WHERE user_id = $1 AND direction = 'outbound'`, [
      user.userId,
    ]);
    expect(outbound.rowCount).toBe(0);
    const second = await db.pool.query(`SELECT processing_state FROM messages WHERE id = $1`, [ids[1]]);
    expect(second.rows[0].processing_state).toBe('processing');
  });
});
