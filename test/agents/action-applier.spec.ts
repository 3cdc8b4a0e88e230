import { randomUUID } from 'node:crypto';
import { ActionApplier } from '../../src/agents/action-applier';
import type { AgentAction } from '../../src/agents/agent.types';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedUser } from '../support/seed';

/** ActionApplier's SQL inside a transaction, as the engine calls it. */
describe('ActionApplier', () => {
  let db: TestDatabase;
  const applier = new ActionApplier();

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const apply = async (actions: AgentAction[]) => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await applier.apply(client, actions);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  it('writes only allow-listed user columns, even if a forged action names others', async () => {
    const user = await seedUser(db.pool);
    const forged = {
      type: 'update_user_fields',
      userId: user.userId,
      fields: { first_name: 'Jane', verified: true, poc_agent_type: 'concierge', 'email_verified = true, title': 'x' },
    } as unknown as AgentAction;
    await apply([forged]);
    const { rows } = await db.pool.query(
      `SELECT first_name, title, verified, email_verified, poc_agent_type FROM users WHERE id = $1`,
      [user.userId],
    );
    expect(rows[0]).toEqual({
      first_name: 'Jane',
      title: null,
      verified: false,
      email_verified: false,
      poc_agent_type: 'bouncer',
    });
  });

  it('replaces the pending re-engagement task and cancels on request', async () => {
    const user = await seedUser(db.pool);
    const task = (attemptCount: number): AgentAction => ({
      type: 'create_agent_task',
      userId: user.userId,
      taskType: 're_engagement_check',
      agentType: 'bouncer',
      scheduledFor: new Date(Date.now() + 86_400_000),
      contextJson: { attemptCount },
      contextId: user.conversationId,
      contextType: 'conversation',
      replacePending: true,
    });
    await apply([task(1)]);
    await apply([task(2)]);
    const statuses = async () =>
      (
        await db.pool.query(
          `SELECT status, (context_json->>'attemptCount')::int AS attempt FROM agent_tasks WHERE user_id = $1 ORDER BY created_at`,
          [user.userId],
        )
      ).rows;
    expect(await statuses()).toEqual([
      { status: 'cancelled', attempt: 1 },
      { status: 'pending', attempt: 2 },
    ]);
    await apply([{ type: 'cancel_agent_tasks', userId: user.userId, taskType: 're_engagement_check' }]);
    expect((await statuses()).map((row) => row.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('records a nomination as a research prospect and an open intro opportunity with the user as connector', async () => {
    const user = await seedUser(db.pool);
    const researchProspectId = randomUUID();
    const introOpportunityId = randomUUID();
    await apply([
      {
        type: 'create_nomination',
        userId: user.userId,
        researchProspectId,
        introOpportunityId,
        firstName: 'Maya',
        lastName: 'Lin',
        company: 'Globex',
        title: 'CTO',
        linkedinUrl: null,
        bountyCredits: 50,
      },
    ]);
    const research = await db.pool.query(
      `SELECT name, company, title, created_by_user_id FROM linkedin_research_prospects WHERE id = $1`,
      [researchProspectId],
    );
    expect(research.rows[0]).toEqual({
      name: 'Maya Lin',
      company: 'Globex',
      title: 'CTO',
      created_by_user_id: user.userId,
    });
    const intro = await db.pool.query(
      `SELECT connector_user_id, prospect_id, first_name, last_name, prospect_company, bounty_credits, status FROM intro_opportunities WHERE id = $1`,
      [introOpportunityId],
    );
    expect(intro.rows[0]).toEqual({
      connector_user_id: user.userId,
      prospect_id: null,
      first_name: 'Maya',
      last_name: 'Lin',
      prospect_company: 'Globex',
      bounty_credits: 50,
      status: 'open',
    });
  });
});
