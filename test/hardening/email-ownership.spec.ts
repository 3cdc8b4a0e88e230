import { ActionApplier } from '../../src/agents/action-applier';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser } from '../support/seed';

/** A user's text must not claim an email address another member already holds. */
describe('email ownership', () => {
  let db: TestDatabase;
  const applier = new ActionApplier();

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const userRow = async (id: string) =>
    (await db.pool.query(`SELECT email, first_name FROM users WHERE id = $1`, [id])).rows[0];

  it("refuses another member's address (any case) and still writes the other fields", async () => {
    const member = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge' });
    await db.pool.query(`UPDATE users SET email = 'mia@example.com' WHERE id = $1`, [member.userId]);
    const stranger = await seedUser(db.pool);
    await applier.apply(db.pool, [
      { type: 'update_user_fields', userId: stranger.userId, fields: { email: 'MIA@example.com', first_name: 'Bo' } },
    ]);
    expect(await userRow(stranger.userId)).toEqual({ email: null, first_name: 'Bo' });
    expect((await userRow(member.userId)).email).toBe('mia@example.com');
  });

  it('accepts an address nobody else holds, and the user re-stating their own', async () => {
    const user = await seedUser(db.pool);
    await applier.apply(db.pool, [
      { type: 'update_user_fields', userId: user.userId, fields: { email: 'own@example.com' } },
    ]);
    await applier.apply(db.pool, [
      { type: 'update_user_fields', userId: user.userId, fields: { email: 'Own@example.com' } },
    ]);
    expect((await userRow(user.userId)).email).toBe('Own@example.com');
  });
});
