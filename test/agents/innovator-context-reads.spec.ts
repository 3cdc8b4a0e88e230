import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { CONCIERGE_READS_IN_ONE_STATEMENT } from '../../src/agents/concierge/concierge-context.reads';
import { ConciergeContextLoader } from '../../src/agents/concierge/concierge.context';
import { ConciergeRepository } from '../../src/agents/concierge/concierge.repository';
import { AgentContextLoader } from '../../src/agents/context/agent-context.loader';
import { AgentContextRepository } from '../../src/agents/context/agent-context.repository';
import type { TurnContext } from '../../src/agents/context/agent-context.types';
import {
  INNOVATOR_READS,
  INNOVATOR_READS_IN_ONE_STATEMENT,
  type InnovatorContextParts,
} from '../../src/agents/innovator/innovator-context.reads';
import { InnovatorContextLoader } from '../../src/agents/innovator/innovator.context';
import { InnovatorRepository } from '../../src/agents/innovator/innovator.repository';
import { validateEnvironment, type ConciergeContextReads, type Environment } from '../../src/config/environment';
import { DatabaseService } from '../../src/database/database.service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { insertInbound, seedUser, type SeededUser } from '../support/seed';

/** Every seeded timestamp is this instant minus some hours (microseconds included, as PostgreSQL keeps them). */
const BASE = '2026-11-30T12:00:00.123456Z';
const hoursBefore = (hours: number) => new Date(Date.parse('2026-11-30T12:00:00.123Z') - hours * 3_600_000);

interface Seeded {
  ivy: SeededUser;
  blair: SeededUser;
  nia: SeededUser;
  ids: Record<string, string>;
}

/**
 * Ivy, an innovator with a busy innovator's rows, each kind with rows her reads must return and rows
 * they must not (wrong status, another user's side, her own answer); Blair, another innovator whose
 * rows must never appear in Ivy's; Nia, an innovator with no rows at all.
 */
async function seed(pool: Pool): Promise<Seeded> {
  const ivy = await seedUser(pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Ivy' });
  const blair = await seedUser(pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Blair' });
  const nia = await seedUser(pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Nia' });
  const morgan = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Morgan' });
  const dana = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Dana' });
  const eli = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Eli' });
  await pool.query(`UPDATE users SET innovator = true WHERE id = ANY($1::uuid[])`, [
    [ivy.userId, blair.userId, nia.userId],
  ]);
  await pool.query(
    `UPDATE users SET last_name = 'Whitfield', company = 'Northwind', title = 'CFO', email = 'dana@example.org'
     WHERE id = $1`,
    [dana.userId],
  );
  const [i, b, m, d, e] = [ivy, blair, morgan, dana, eli].map((u) => u.userId);
  const ids: Record<string, string> = {};
  const insert = async (key: string, sql: string, params: unknown[]) => {
    const { rows } = await pool.query<{ id: string }>(`${sql} RETURNING id`, params);
    ids[key] = rows[0].id;
  };

  await pool.query(
    `INSERT INTO innovators (user_id, company_name, solution_description, categories, target_customer_profile,
       warm_intro_bounty)
     VALUES ($1, 'Ledgerly', 'automated reconciliation', '{fintech,banking}', 'CFOs at regional banks', 40),
            ($2, 'Hooli', 'search', '{search}', 'everyone', 30)`,
    [i, b],
  );
  // Ledger: 200 + 50 processed − 30 = 220 (the unprocessed 500 does not count); the open request
  // below holds 45 and the declined one nothing: 175 available. Blair's credits are Blair's.
  await pool.query(
    `INSERT INTO credit_events (user_id, event_type, amount, idempotency_key, processed)
     VALUES ($1, 'grant', 200, 'ivy-1', true), ($1, 'grant', 50, 'ivy-2', true), ($1, 'spend', -30, 'ivy-3', true),
            ($1, 'grant', 500, 'ivy-4', false), ($2, 'grant', 999, 'blair-1', true)`,
    [i, b],
  );

  // Intros, read newest change first: opportunities for Ivy, her own requests, offers made to her.
  const opportunity = `INSERT INTO intro_opportunities (connector_user_id, innovator_id, first_name, last_name,
       prospect_company, prospect_title, bounty_credits, status, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'VP Finance', $6, $7, $8::timestamptz - $9::float8 * interval '1 hour')`;
  await insert('oppAccepted', opportunity, [m, i, 'Jordan', 'Blake', 'Initech', 60, 'accepted', BASE, 1]);
  await insert('oppOpen', opportunity, [m, i, 'Riley', 'Stone', 'Umbrella', 55, 'open', BASE, 3]);
  await insert('oppCompleted', opportunity, [m, i, 'Done', 'Deal', 'Acme', 50, 'completed', BASE, 0.5]);
  await insert('oppBlair', opportunity, [m, b, 'Quentin', 'Hollis', 'Hooli', 50, 'accepted', BASE, 0.25]);
  // Ivy as the connector of Blair's opportunity: not an intro of hers as an innovator.
  await insert('oppIvyConnects', opportunity, [i, b, 'Pat', 'Lee', 'Globex', 50, 'open', BASE, 0.75]);
  // Eight older open ones, so the read's limit of 10 cuts the list.
  for (let g = 1; g <= 8; g += 1)
    await insert(`oppOld${g}`, opportunity, [m, i, 'Old', `No${g}`, `Company ${g}`, 50, 'open', BASE, 10 + g]);

  const request = `INSERT INTO connection_requests (requestor_user_id, introducee_user_id, requestor_name,
       intro_context, bounty_credits, status, updated_at)
     VALUES ($1, $2, 'Ivy', 'bank intro', $3, $4, $5::timestamptz - $6::float8 * interval '1 hour')`;
  await insert('requestOpen', request, [i, d, 45, 'open', BASE, 2]);
  await insert('requestDeclined', request, [i, e, 20, 'declined', BASE, 0.2]);
  await insert('requestBlair', request, [b, d, 25, 'open', BASE, 0.3]);

  const offer = `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company,
       prospect_title, bounty_credits, status, updated_at)
     VALUES ($1, $2, $3, 'Globex CU', 'COO', $4, $5, $6::timestamptz - $7::float8 * interval '1 hour')`;
  await insert('offerToIvy', offer, [m, i, 'Casey Moore', 35, 'pending_introducee_response', BASE, 4]);
  await insert('offerConfirm', offer, [e, i, null, 15, 'pending_connector_confirmation', BASE, 5]);
  await insert('offerAccepted', offer, [m, i, 'Old Offer', 10, 'accepted', BASE, 0.1]);
  await insert('offerByIvy', offer, [i, d, 'Sam Ortiz', 10, 'pending_connector_confirmation', BASE, 0.15]);

  // Seven prospects of Ivy's (one without a last name, one without any name), one of Blair's.
  await pool.query(
    `INSERT INTO prospects (innovator_id, first_name, last_name, company, email, created_at)
     SELECT $1, CASE WHEN g = 3 THEN NULL ELSE 'Prospect' END, CASE WHEN g IN (2, 3) THEN NULL ELSE 'No' || g END,
            'Company ' || g, 'p' || g || '@example.org', $2::timestamptz - make_interval(hours => g)
     FROM generate_series(1, 7) g`,
    [i, BASE],
  );
  await pool.query(
    `INSERT INTO prospects (innovator_id, first_name, last_name, company, created_at) VALUES ($1, 'Blair', 'Lead', 'Hooli', $2)`,
    [b, BASE],
  );

  // Ivy's community requests: one answered by Dana, Eli and herself, one unanswered, one closed,
  // four older open ones (the read keeps 5); Blair's own and Dana's question to Ivy are not hers.
  const community = `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary,
       status, responses_count, target_user_ids, created_at)
     VALUES ('innovator', $1, $2, $3, $4, $5, $6::uuid[], $7::timestamptz - $8::float8 * interval '1 hour')`;
  await insert('askAnswered', community, [
    i,
    'Who owns reconciliation?',
    'recon owners',
    'responses_received',
    2,
    [d, e],
    BASE,
    1,
  ]);
  await insert('askOpen', community, [i, 'Any bank CFOs?', null, 'open', 0, [d], BASE, 2]);
  await insert('askClosed', community, [i, 'Closed one?', null, 'closed', 0, [d], BASE, 0.5]);
  for (let g = 1; g <= 4; g += 1)
    await insert(`askOld${g}`, community, [i, `Old question ${g}?`, null, 'open', 0, [e], BASE, 10 + g]);
  await insert('askBlair', community, [b, 'Blair asks?', null, 'open', 1, [d], BASE, 0.2]);
  await insert('askToIvy', community, [d, 'Dana asks Ivy?', null, 'open', 1, [i], BASE, 0.3]);
  const response = `INSERT INTO community_responses (request_id, user_id, response_text, created_at)
     VALUES ($1, $2, $3, $4::timestamptz - make_interval(mins => $5))`;
  await pool.query(response, [ids.askAnswered, e, 'the controller', BASE, 20]);
  await pool.query(response, [ids.askAnswered, d, 'treasury ops', BASE, 30]);
  await pool.query(response, [ids.askAnswered, i, 'my own note', BASE, 10]);
  await pool.query(response, [ids.askBlair, d, 'for Blair', BASE, 5]);
  await pool.query(response, [ids.askToIvy, i, 'Ivy answers Dana', BASE, 5]);

  ids.morgan = m;
  ids.dana = d;
  ids.eli = e;
  return { ivy, blair, nia, ids };
}

describe('Innovator context reads: one statement and parallel reads see the same context', () => {
  let db: TestDatabase;
  let pool: Pool;
  let database: DatabaseService;
  let seeded: Seeded;

  const config = (mode: ConciergeContextReads) =>
    new ConfigService<Environment, true>(validateEnvironment({ NODE_ENV: 'test', CONCIERGE_CONTEXT_READS: mode }));
  const repository = (mode: ConciergeContextReads) => new InnovatorRepository(database, config(mode));
  const loader = (mode: ConciergeContextReads) =>
    new InnovatorContextLoader(
      new ConciergeContextLoader(new ConciergeRepository(database, config(mode))),
      repository(mode),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // The service's pool size at the default MAX_CONCURRENCY: the parallel reads really run at once.
    pool = new Pool({ connectionString: db.url, max: 12 });
    database = new DatabaseService(pool, db.url);
    seeded = await seed(db.pool);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it.each(['ivy', 'blair', 'nia'] as const)('gives %s the same parts either way', async (name) => {
    const userId = seeded[name].userId;
    const parallel = await repository('parallel').readContext(userId);
    const oneStatement = await repository('one_statement').readContext(userId);
    expect(oneStatement).toEqual(parallel);
  });

  it.each(['one_statement', 'parallel'] as const)('reads the facts Ivy has, in their order (%s)', async (mode) => {
    const { ids } = seeded;
    const parts: InnovatorContextParts = await repository(mode).readContext(seeded.ivy.userId);

    expect(parts.profile).toEqual({
      id: expect.any(String),
      companyName: 'Ledgerly',
      solutionDescription: 'automated reconciliation',
      categories: ['fintech', 'banking'],
      targetCustomerProfile: 'CFOs at regional banks',
      warmIntroBounty: 40,
    });
    expect(parts.availableCredits).toBe(175);

    // Newest change first, at most 10; the completed opportunity, the declined request, the
    // accepted offer, Ivy's own offer, her connector side and Blair's rows are left out.
    expect(parts.intros.map((intro) => [intro.kind, intro.id])).toEqual([
      ['intro_opportunity', ids.oppAccepted],
      ['connection_request', ids.requestOpen],
      ['intro_opportunity', ids.oppOpen],
      ['intro_offer', ids.offerToIvy],
      ['intro_offer', ids.offerConfirm],
      ...[1, 2, 3, 4, 5].map((g) => ['intro_opportunity', ids[`oppOld${g}`]]),
    ]);
    expect(parts.intros[0]).toEqual({
      kind: 'intro_opportunity',
      id: ids.oppAccepted,
      status: 'accepted',
      personName: 'Jordan Blake',
      company: 'Initech',
      title: 'VP Finance',
      otherFirstName: 'Morgan',
      bountyCredits: 60,
      updatedAt: hoursBefore(1),
    });
    expect(parts.intros[1]).toMatchObject({
      personName: 'Dana Whitfield',
      company: 'Northwind',
      title: 'CFO',
      otherFirstName: null,
      bountyCredits: 45,
      updatedAt: hoursBefore(2),
    });
    expect(parts.intros[4]).toMatchObject({
      personName: null,
      otherFirstName: 'Eli',
      status: 'pending_connector_confirmation',
    });

    expect(parts.prospects.total).toBe(7);
    expect(parts.prospects.latest).toEqual([
      { id: expect.any(String), name: 'Prospect No1', company: 'Company 1' },
      { id: expect.any(String), name: 'Prospect', company: 'Company 2' },
      { id: expect.any(String), name: null, company: 'Company 3' },
      { id: expect.any(String), name: 'Prospect No4', company: 'Company 4' },
      { id: expect.any(String), name: 'Prospect No5', company: 'Company 5' },
    ]);

    // Newest first, at most 5, open or answered only; Ivy's own answer is not a responder's.
    expect(parts.ownRequests.map((r) => r.id)).toEqual([
      ids.askAnswered,
      ids.askOpen,
      ids.askOld1,
      ids.askOld2,
      ids.askOld3,
    ]);
    expect(parts.ownRequests[0]).toEqual({
      id: ids.askAnswered,
      question: 'Who owns reconciliation?',
      summary: 'recon owners',
      status: 'responses_received',
      responsesCount: 2,
      responders: [
        { userId: ids.dana, firstName: 'Dana', summary: 'treasury ops' },
        { userId: ids.eli, firstName: 'Eli', summary: 'the controller' },
      ],
    });
    expect(parts.ownRequests[1].responders).toEqual([]);
  });

  it.each(['one_statement', 'parallel'] as const)('gives an innovator without rows empty parts (%s)', async (mode) => {
    expect(await repository(mode).readContext(seeded.nia.userId)).toEqual({
      profile: null,
      availableCredits: 0,
      intros: [],
      prospects: { total: 0, latest: [] },
      ownRequests: [],
    });
  });

  it('loads an Innovator turn on two connections, its own reads in one statement', async () => {
    const [messageId] = await insertInbound(db.pool, seeded.ivy, ['how are my intros going?']);
    const turnLoader = new AgentContextLoader(new AgentContextRepository(database));
    const loaded = await turnLoader.load({ userId: seeded.ivy.userId, messageIds: [messageId] }, new Date());
    if (loaded.kind !== 'ready') throw new Error(`turn not ready: ${loaded.kind}`);
    const turn: TurnContext = loaded.context;

    // Connections checked out of the pool and statements sent while the context loads.
    const measure = async (mode: ConciergeContextReads) => {
      let acquired = 0;
      let inUse = 0;
      let peak = 0;
      const onAcquire = () => {
        acquired += 1;
        inUse += 1;
        peak = Math.max(peak, inUse);
      };
      const onRelease = () => (inUse -= 1);
      pool.on('acquire', onAcquire);
      pool.on('release', onRelease);
      const query = jest.spyOn(database, 'query');
      try {
        const context = await loader(mode).load(turn);
        return { context, acquired, peak, statements: query.mock.calls.map(([sql]) => sql) };
      } finally {
        query.mockRestore();
        pool.off('acquire', onAcquire);
        pool.off('release', onRelease);
      }
    };

    const one = await measure('one_statement');
    expect(one.acquired).toBe(2);
    expect(one.peak).toBeLessThanOrEqual(2);
    expect(one.statements.sort()).toEqual([CONCIERGE_READS_IN_ONE_STATEMENT, INNOVATOR_READS_IN_ONE_STATEMENT].sort());

    const parallel = await measure('parallel');
    const innovatorStatements = new Set(Object.values(INNOVATOR_READS).map((read) => read.sql));
    expect(parallel.statements.filter((sql) => innovatorStatements.has(sql))).toHaveLength(6);
    expect(parallel.acquired).toBe(parallel.statements.length);

    // Either way the same whole context, the innovator's own ids loaded.
    expect(one.context).toEqual(parallel.context);
    expect(one.context.intros).toHaveLength(10);
    for (const prospect of one.context.prospects.latest)
      expect(one.context.ids.has('prospect', prospect.id)).toBe(true);
    expect(one.context.ids.has('member', seeded.ids.dana)).toBe(true);
    expect(one.context.ids.has('member', seeded.ivy.userId)).toBe(false);
  });
});
