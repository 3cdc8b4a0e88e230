import { awardCredits } from '../../src/workflows/credit.ledger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser } from '../support/seed';

/** The ledger on its own: one row per idempotency key, the balance moved only by new rows. */
describe('credit ledger', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('credits an award once however often it is asked, concurrently or not, and the balance follows the ledger', async () => {
    const user = await seedUser(db.pool);
    const award = (key: string, amount: number) => ({
      userId: user.userId,
      amount,
      eventType: 'intro_completed',
      referenceType: 'intro_opportunity',
      referenceId: user.userId,
      idempotencyKey: key,
      description: 'test award',
    });
    const inTransaction = async (key: string, amount: number) => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        const credited = await awardCredits(client, award(key, amount));
        await client.query('COMMIT');
        return credited;
      } finally {
        client.release();
      }
    };
    const results = await Promise.all([inTransaction('k1', 25), inTransaction('k1', 25), inTransaction('k1', 25)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await inTransaction('k1', 25)).toBe(false);
    expect(await inTransaction('k2', -5)).toBe(true);
    expect(await inTransaction('k3', 0)).toBe(false);
    const row = await db.pool.query<{ credit_balance: number; ledger: number; rows: number }>(
      `SELECT u.credit_balance, sum(c.amount)::int AS ledger, count(c.id)::int AS rows
       FROM users u JOIN credit_events c ON c.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
      [user.userId],
    );
    expect(row.rows[0]).toEqual({ credit_balance: 20, ledger: 20, rows: 2 });
  });
});
