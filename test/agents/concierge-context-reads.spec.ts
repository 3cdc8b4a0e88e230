import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { ConciergeContextLoader, type ConciergeContext } from '../../src/agents/concierge/concierge.context';
import type { ConciergeReads } from '../../src/agents/concierge/concierge-context.reads';
import { ConciergeRepository } from '../../src/agents/concierge/concierge.repository';
import { AgentContextLoader } from '../../src/agents/context/agent-context.loader';
import { AgentContextRepository } from '../../src/agents/context/agent-context.repository';
import { validateEnvironment, type ConciergeContextReads, type Environment } from '../../src/config/environment';
import { DatabaseService } from '../../src/database/database.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedMemberContext } from '../support/member-context-seed';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';

/**
 * CONCIERGE_CONTEXT_READS=one_statement must give a member turn exactly the context the
 * parallel reads give: the same facts, in the same order, and never another member's rows. Two
 * members are seeded as each other's peer (offers, questions and requests run both ways), so a
 * read that leaked the other side would show up here.
 */
describe('Concierge context reads: one statement and parallel reads see the same context', () => {
  let db: TestDatabase;
  let pool: Pool;
  let database: DatabaseService;
  let dana: SeededUser;
  let eli: SeededUser;
  let ivy: SeededUser;
  const now = new Date();

  const repository = (mode: ConciergeContextReads) =>
    new ConciergeRepository(
      database,
      new ConfigService<Environment, true>(validateEnvironment({ NODE_ENV: 'test', CONCIERGE_CONTEXT_READS: mode })),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // The service's pool size at the default MAX_CONCURRENCY: the parallel reads really run at once.
    pool = new Pool({ connectionString: db.url, max: 12 });
    database = new DatabaseService(pool, db.url);
    dana = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Dana' });
    eli = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Eli' });
    ivy = await seedUser(db.pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Ivy' });
    await seedMemberContext(db.pool, dana, eli);
    await seedMemberContext(db.pool, eli, dana);
    await seedMemberContext(db.pool, ivy, dana, { innovator: true });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it.each(['dana', 'eli', 'ivy'])('gives %s the same reads either way', async (name) => {
    const member = { dana: () => dana, eli: () => eli, ivy: () => ivy }[name]!();
    const parallel = await repository('parallel').read(member.userId, now);
    const oneStatement = await repository('one_statement').read(member.userId, now);
    expect(oneStatement).toEqual(parallel);
  });

  it('reads the facts a member has, in their order, in one statement', async () => {
    const reads = await repository('one_statement').read(dana.userId, now);
    expect(reads.goal).toBe(`hire a VP of sales for ${dana.userId}`);
    // Ranks 5 (presented twice) and 6 (expired) are left out.
    expect(reads.priorities.map((p) => p.rank)).toEqual([1, 2, 3, 4, 7]);
    expect(reads.priorities[1].presentedAt).toBeInstanceOf(Date);
    expect(reads.priorities[0].presentedAt).toBeNull();
    // Newest first; the completed one is left out.
    expect(reads.introOpportunities.map((o) => o.prospectName)).toEqual([
      'Prospect No1',
      'Prospect No2',
      'Prospect No3',
    ]);
    expect(reads.introOffers.map((o) => [o.prospectName, o.role])).toEqual([
      ['Sam Ortiz', 'offerer'],
      ['Priya Raman', 'introducee'],
    ]);
    expect(reads.connectionRequests.map((c) => c.requestorName)).toEqual(['Lee Park', 'Zoe Kim']);
    // Question 3 was answered by the member.
    expect(reads.openRequests.map((r) => r.question)).toEqual(['Question 1?', 'Question 2?']);
    expect(reads.openRequests[0].expertiseNeeded).toEqual(['payroll']);
    expect(reads.warmIntroBounty).toBeNull();
    // Two Concierge nudges in 90 days, one after the member's last text; the Bouncer's does not count.
    expect(reads.nudges.unansweredNudges).toBe(1);
    expect(reads.nudges.lastNudgeAt).toBeInstanceOf(Date);
    expect(reads.lastTurnScenario).toBe('request_clarification');

    const ivyReads = await repository('one_statement').read(ivy.userId, now);
    expect(ivyReads.warmIntroBounty).toBe(40);
  });

  it('breaks ties by id, the same way in both modes (rows written by one statement share created_at)', async () => {
    const tia = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Tia' });
    // Written in descending id order, so the heap's order is the reverse of the tiebreak's.
    const ids = ['f', '8', '1'].map((digit) => `${digit.repeat(8)}-0000-4000-8000-000000000000`);
    await db.pool.query(
      `INSERT INTO user_priorities (id, user_id, priority_rank, item_type, item_id, status, item_summary)
       SELECT id, $1, 1, 'intro_opportunity', gen_random_uuid(), 'active', 'tied'
       FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, n) ORDER BY n`,
      [tia.userId, ids],
    );
    await db.pool.query(
      `INSERT INTO intro_opportunities (id, connector_user_id, first_name, last_name, bounty_credits, status)
       SELECT id, $1, 'Tied', 'Prospect', 10, 'open'
       FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, n) ORDER BY n`,
      [tia.userId, ids],
    );
    const ascending = [...ids].reverse();
    for (const mode of ['one_statement', 'parallel'] as const) {
      const reads = await repository(mode).read(tia.userId, now);
      expect(reads.priorities.map((p) => p.id)).toEqual(ascending);
      expect(reads.introOpportunities.map((o) => o.id)).toEqual(ascending);
    }
  });

  it('never gives a member another member’s rows', async () => {
    for (const mode of ['one_statement', 'parallel'] as const) {
      const own = await repository(mode).read(dana.userId, now);
      const other = await repository(mode).read(eli.userId, now);
      const ids = (reads: ConciergeReads) => [
        ...reads.priorities.map((p) => p.id),
        ...reads.introOpportunities.map((o) => o.id),
        ...reads.introOffers.map((o) => o.id),
        ...reads.connectionRequests.map((c) => c.id),
        ...reads.openRequests.map((r) => r.id),
      ];
      const otherIds = new Set(ids(other));
      expect(ids(own).filter((id) => otherIds.has(id))).toEqual([]);
      // Every row read is the member's own side of it.
      const { rows } = await pool.query<{ owner: string | null }>(
        `SELECT user_id AS owner FROM user_priorities WHERE id = ANY($1::uuid[])
         UNION ALL SELECT connector_user_id FROM intro_opportunities WHERE id = ANY($1::uuid[])
         UNION ALL SELECT CASE WHEN status = 'pending_introducee_response' THEN introducee_user_id
                               ELSE offering_user_id END FROM intro_offers WHERE id = ANY($1::uuid[])
         UNION ALL SELECT introducee_user_id FROM connection_requests WHERE id = ANY($1::uuid[])
         UNION ALL SELECT unnest(target_user_ids) FROM community_requests WHERE id = ANY($1::uuid[])`,
        [ids(own)],
      );
      expect(rows).toHaveLength(ids(own).length);
      expect(new Set(rows.map((row) => row.owner))).toEqual(new Set([dana.userId]));
      expect(own.goal).toContain(dana.userId);
    }
  });

  it('hands the Concierge the same whole turn context either way', async () => {
    const [messageId] = await insertInbound(db.pool, dana, ['any news on my intros?']);
    const turnLoader = new AgentContextLoader(new AgentContextRepository(database));
    const loaded = await turnLoader.load({ userId: dana.userId, messageIds: [messageId] }, now);
    if (loaded.kind !== 'ready') throw new Error(`turn not ready: ${loaded.kind}`);
    const contexts: ConciergeContext[] = [];
    for (const mode of ['parallel', 'one_statement'] as const)
      contexts.push(await new ConciergeContextLoader(repository(mode)).load(loaded.context));
    const [parallel, oneStatement] = contexts;
    expect(oneStatement).toEqual(parallel);
    expect(oneStatement.history.at(-1)?.content).toBe('any news on my intros?');
    expect(oneStatement.pendingRequest?.question).toBe('Question 1?');
    expect(oneStatement.hadRecentClarification).toBe(true);
    for (const priority of oneStatement.priorities)
      expect(oneStatement.ids.has('user_priority', priority.id)).toBe(true);
  });
});
