import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { seededRandom, shuffledBag } from '../../test/support/seeded-random.ts';
import { timeUntil } from './cluster.mts';
import type { ChaosWorld, Fault } from './faults.mts';
import { noonZone } from './load.mts';

/** What a `message.send.requested` event asks to send; the leak scan looks for it. */
export const REQUESTED_TEXT = 'Your walkthrough with the Northwind team is booked for Thursday at 10.';
/** What the load's experts answer to community questions; it reaches the requester through the queue. */
export const COMMUNITY_ANSWER = 'Price per seat first, then add usage tiers for the heavy accounts.';

/**
 * Every event type with a handler in src/workflows (EVENT_HANDLERS): each of their events must end
 * done or dead. Types without a handler (e.g. `community.request_routed`) stay pending, untouched;
 * the audit's `notOursTouched` fails the run when this list misses a type the code handles (seen
 * once on purpose: without `priority.update` here, the run failed with 2 such events).
 */
export const HANDLED_TYPES = [
  'community.request_needed',
  'community.response_received',
  'connection.request_accepted',
  'connection.request_completed',
  'connection.request_created',
  'connection.request_declined',
  'intro.offer_accepted',
  'intro.offer_confirmed',
  'intro.offer_created',
  'intro.offer_declined',
  'intro.offer_reminder',
  'intro.opportunity_accepted',
  'intro.opportunity_cancelled',
  'intro.opportunity_completed',
  'intro.opportunity_created',
  'intro.opportunity_declined',
  'message.send.requested',
  'priority.update',
  'system.ping',
  'user.inquiry.solution_needed',
  'user.message.received',
  'user.onboarding_info_complete',
  'user.verification.pending',
  'user.verified',
];

const SCENARIOS = [
  'intro-completed',
  'intro-declined',
  'connection-completed',
  'connection-declined',
  'offer-confirmed',
  'offer-declined',
  'community',
  'priority-update',
  'send-requested',
  'points-nowhere',
] as const;
type Scenario = (typeof SCENARIOS)[number];

export interface WorkflowStats {
  /** Scenarios whose rows and events were committed, by kind. */
  scenarios: Record<string, number>;
  events: number;
  /** Bounties the committed scenarios must have credited, exactly once each. */
  expectedCredits: number;
  /** Community questions whose request never appeared in time to be answered. */
  unanswered: number;
  insertErrors: number;
}

type Chain = Array<[type: string, payload: Record<string, unknown>]>;

const ignore = () => undefined;

/**
 * Real background work under chaos, beside the texts: intro opportunities, connection requests and
 * intro offers run through created → accepted → completed (or declined), community questions are
 * routed to experts and answered, priorities re-scored and proactive texts requested; now and then
 * an event points at a row that does not exist, which must be dead-lettered with its reason. Each
 * scenario takes fresh members (at their local noon, so nothing is held for quiet hours or
 * budgets) and commits its rows and its events in one transaction, the events of one aggregate
 * in order. `lockedScenario` (the `workflow-row-lock` fault) makes some handlers fail for certain.
 */
export class WorkflowLoad {
  readonly stats: WorkflowStats = {
    scenarios: {},
    events: 0,
    expectedCredits: 0,
    unanswered: 0,
    insertErrors: 0,
  };
  /** Events emitted to point nowhere: each must end dead, with its reason. */
  readonly expectDead: string[] = [];
  private readonly pool: pg.Pool;
  private readonly random: () => number;
  private readonly next: () => Scenario;
  private members: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private counter = 0;

  constructor(url: string, seed: number) {
    this.pool = new pg.Pool({ connectionString: url, max: 3 });
    this.pool.on('error', ignore);
    this.random = seededRandom(seed + 1);
    this.next = shuffledBag(this.random, SCENARIOS);
  }

  /** `count` members for the scenarios, and six verified experts in the load's own field. */
  async seed(count: number): Promise<void> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `WITH u AS (
         INSERT INTO users (phone_number, verified, poc_agent_type, timezone, first_name, expertise)
         SELECT '+1778' || lpad(g::text, 7, '0'), true, 'concierge', $2, 'Member' || g,
                CASE WHEN g <= 6 THEN ARRAY['chaos-pricing', 'chaos-saas'] END
         FROM generate_series(1, $1 + 6) g RETURNING id, phone_number)
       INSERT INTO conversations (user_id, phone_number, status) SELECT id, phone_number, 'active' FROM u
       RETURNING user_id`,
      [count, noonZone()],
    );
    // The experts (the first six) answer; the others are handed out one scenario at a time.
    this.members = rows.map((row) => row.user_id).slice(6);
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.track(this.runScenario(this.next())), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(ignore).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private take(n: number): string[] | undefined {
    if (this.members.length < n) return undefined;
    return this.members.splice(0, n);
  }

  private async runScenario(kind: Scenario): Promise<void> {
    try {
      const committed = await this.transaction((client) => this.write(client, kind));
      if (!committed) return;
      this.stats.scenarios[kind] = (this.stats.scenarios[kind] ?? 0) + 1;
      if (kind === 'intro-completed' || kind === 'connection-completed' || kind === 'offer-confirmed')
        this.stats.expectedCredits += 1;
      if (kind === 'community') await this.answer(committed);
    } catch {
      this.stats.insertErrors += 1;
    }
  }

  /** Writes one scenario's rows and events; returns what a later step needs, or undefined when out of members. */
  private async write(client: pg.PoolClient, kind: Scenario): Promise<string | undefined> {
    this.counter += 1;
    switch (kind) {
      case 'intro-completed':
      case 'intro-declined': {
        const users = this.take(3);
        if (!users) return undefined;
        const [connector, rival, innovator] = users;
        const prospect = await one(
          client,
          `INSERT INTO prospects (innovator_id, first_name, last_name, company) VALUES ($1, 'Dana', 'Reyes', 'Northwind') RETURNING id`,
          [innovator],
        );
        const mine = await this.introRow(client, connector, innovator, prospect);
        const theirs = await this.introRow(client, rival, innovator, prospect);
        const created = (who: string) => ({
          connectorUserId: who,
          innovatorId: innovator,
          prospectId: prospect,
          bountyCredits: 50,
        });
        await this.chain(client, 'intro_opportunity', theirs, [
          ['intro.opportunity_created', { introOpportunityId: theirs, ...created(rival) }],
        ]);
        const decision = { introOpportunityId: mine, connectorUserId: connector, innovatorId: innovator };
        await this.chain(client, 'intro_opportunity', mine, [
          ['intro.opportunity_created', { introOpportunityId: mine, ...created(connector) }],
          ...(kind === 'intro-completed'
            ? ([
                ['intro.opportunity_accepted', decision],
                ['intro.opportunity_completed', { introOpportunityId: mine }],
              ] as Chain)
            : ([['intro.opportunity_declined', { ...decision, reason: 'not the right time' }]] as Chain)),
        ]);
        return mine;
      }
      case 'connection-completed':
      case 'connection-declined': {
        const users = this.take(2);
        if (!users) return undefined;
        const id = await this.connectionRow(client, users[0], users[1]);
        await this.chain(client, 'connection_request', id, this.connectionChain(id, users[0], users[1], kind));
        return id;
      }
      case 'offer-confirmed':
      case 'offer-declined': {
        const users = this.take(2);
        if (!users) return undefined;
        const id = await this.offerRow(client, users[0], users[1]);
        await this.chain(client, 'intro_offer', id, this.offerChain(id, users[0], users[1], kind));
        return id;
      }
      case 'community': {
        const users = this.take(1);
        if (!users) return undefined;
        const [requester] = users;
        const conversation = await one(client, `SELECT id FROM conversations WHERE user_id = $1`, [requester]);
        await this.chain(client, 'user', requester, [
          [
            'community.request_needed',
            {
              requestingUserId: requester,
              requestingAgentType: 'concierge',
              contextId: conversation,
              contextType: 'conversation',
              question: 'How do you price usage-based infrastructure for mid-market buyers?',
              expertiseNeeded: ['chaos-pricing'],
              desiredOutcome: 'quick_thoughts',
              urgency: 'medium',
              requestSummary: 'usage-based pricing',
              // Its own category: a new request each time, not attached to an earlier one.
              category: `chaos-${this.counter}`,
            },
          ],
        ]);
        return requester;
      }
      case 'priority-update': {
        const users = this.take(1);
        if (!users) return undefined;
        await this.chain(client, 'user', users[0], [
          [
            'priority.update',
            {
              userId: users[0],
              priorities: [
                { itemType: 'intro_opportunity', itemId: randomUUID(), valueScore: 60, content: 'an intro to a buyer' },
              ],
              maxScore: 60,
              itemCount: 1,
            },
          ],
        ]);
        return users[0];
      }
      case 'send-requested': {
        const users = this.take(1);
        if (!users) return undefined;
        await this.chain(client, 'user', users[0], [
          [
            'message.send.requested',
            { userId: users[0], text: REQUESTED_TEXT, priority: 'medium', subject: `chaos_request:${randomUUID()}` },
          ],
        ]);
        return users[0];
      }
      case 'points-nowhere': {
        const nowhere = randomUUID();
        const [id] = await this.chain(client, 'intro_opportunity', nowhere, [
          ['intro.opportunity_completed', { introOpportunityId: nowhere }],
        ]);
        this.expectDead.push(id);
        return nowhere;
      }
    }
  }

  private introRow(client: pg.PoolClient, connector: string, innovator: string, prospect: string | null) {
    return one(
      client,
      `INSERT INTO intro_opportunities (connector_user_id, innovator_id, prospect_id, first_name, last_name,
         prospect_company, innovator_name, bounty_credits, status)
       VALUES ($1, $2, $3, 'Dana', 'Reyes', 'Northwind', 'Ivy Labs', 50, 'open') RETURNING id`,
      [connector, innovator, prospect],
    );
  }

  private connectionRow(client: pg.PoolClient, requestor: string, introducee: string) {
    return one(
      client,
      `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, requestor_company,
         vouched_by_user_ids, bounty_credits, status)
       VALUES ($1, $2, 'Remy Stone', 'Ivy Labs', '{}', 40, 'open') RETURNING id`,
      [introducee, requestor],
    );
  }

  private connectionChain(id: string, requestor: string, introducee: string, kind: Scenario): Chain {
    const parties = { connectionRequestId: id, requestorUserId: requestor, introduceeUserId: introducee };
    return [
      ['connection.request_created', { ...parties, bountyCredits: 40 }],
      ...(kind === 'connection-declined'
        ? ([['connection.request_declined', parties]] as Chain)
        : ([
            ['connection.request_accepted', parties],
            ['connection.request_completed', { connectionRequestId: id }],
          ] as Chain)),
    ];
  }

  private async offerRow(client: pg.PoolClient, offering: string, introducee: string) {
    await client.query(
      `INSERT INTO innovators (user_id, company_name, warm_intro_bounty) VALUES ($1, 'Iris Co', 40)
       ON CONFLICT (user_id) DO NOTHING`,
      [introducee],
    );
    return one(
      client,
      `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company)
       VALUES ($1, $2, 'Pia Lund', 'Fjord') RETURNING id`,
      [offering, introducee],
    );
  }

  private offerChain(id: string, offering: string, introducee: string, kind: Scenario): Chain {
    const parties = { introOfferId: id, offeringUserId: offering, introduceeUserId: introducee };
    return [
      ['intro.offer_created', { ...parties, prospectName: 'Pia Lund', prospectCompany: 'Fjord' }],
      ...(kind === 'offer-declined'
        ? ([['intro.offer_declined', { ...parties, bountyCredits: 0 }]] as Chain)
        : ([
            ['intro.offer_accepted', { ...parties, bountyCredits: 40 }],
            ['intro.offer_confirmed', { ...parties, bountyCredits: 40 }],
          ] as Chain)),
    ];
  }

  /** Inserts the events of one aggregate in one transaction, each with its own clock time (their order). */
  private async chain(client: pg.PoolClient, aggregateType: string, aggregateId: string, chain: Chain) {
    const ids: string[] = [];
    for (const [type, payload] of chain) {
      ids.push(
        await one(
          client,
          `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_by, created_at)
           VALUES ($1, $2, $3, $4::jsonb, 'chaos', clock_timestamp()) RETURNING id`,
          [type, aggregateId, aggregateType, JSON.stringify(payload)],
        ),
      );
      this.stats.events += 1;
    }
    return ids;
  }

  /** Once the request is routed, the first expert answers and `community.response_received` follows. */
  private async answer(requester: string): Promise<void> {
    let request: { id: string; target_user_ids: string[] } | undefined;
    // Routing is an event handler, which yields to user turns: a backlog of texts delays it.
    await timeUntil(async () => {
      const { rows } = await this.pool
        .query<{ id: string; target_user_ids: string[] }>(
          `SELECT id, target_user_ids FROM community_requests WHERE requesting_user_id = $1`,
          [requester],
        )
        .catch(() => ({ rows: [] as Array<{ id: string; target_user_ids: string[] }> }));
      request = rows[0];
      return request !== undefined;
    }, 240_000);
    if (!request) {
      this.stats.unanswered += 1;
      return;
    }
    const { id, target_user_ids: targets } = request;
    await this.transaction(async (client) => {
      const responseId = await one(
        client,
        `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, $3) RETURNING id`,
        [id, targets[0], COMMUNITY_ANSWER],
      );
      await this.chain(client, 'community_request', id, [
        [
          'community.response_received',
          { requestId: id, responseId, responderUserId: targets[0], requestingUserId: requester },
        ],
      ]);
      return id;
    }).catch(() => {
      this.stats.unanswered += 1;
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T | undefined>): Promise<T | undefined> {
    const client = await this.pool.connect();
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query(result === undefined ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(ignore);
      throw error;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }

  /**
   * The `workflow-row-lock` fault: an intro opportunity, a connection request and an intro offer
   * are created, their rows locked (FOR UPDATE) by the run, and then their events published. Each
   * handler waits on its row longer than the pool's lock_timeout, fails, and is put back to retry;
   * the fault waits until it has seen every chain's first event fail once (so retries under chaos
   * are certain, not luck), then lets the rows go. The chains must then complete, each bounty
   * credited once. Returns the milliseconds from the release until every event of them was done.
   */
  async lockedScenario(world: ChaosWorld): Promise<number> {
    // The hold may outlast the fault's slot (handlers yield to user turns): it goes on in the
    // background, so the other faults keep their turns, and `stop` waits for it.
    const hold = this.holdLocked(world);
    this.track(hold.then(ignore));
    const ms = await Promise.race([
      hold,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000)),
    ]);
    if (ms === undefined)
      process.stderr.write('  workflow-row-lock: handlers not reached yet; the rows stay locked in the background\n');
    return ms ?? 20_000;
  }

  /**
   * A database restart (another fault) drops the locking connection, and with it the locks: the
   * handlers may then run through without failing. So a hold that lost its connection before every
   * chain's first event failed starts again on new rows, once the database is back.
   */
  private async holdLocked(world: ChaosWorld): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await this.holdLockedOnce(world).catch(() => 'connection lost' as const);
      if (result !== 'connection lost') return result;
      process.stderr.write('  workflow-row-lock: the database dropped the locks; locking new rows\n');
      await timeUntil(async () => (await world.pool.query('SELECT 1').catch(() => undefined)) !== undefined, 60_000);
    }
    return Number.NaN;
  }

  private async holdLockedOnce(world: ChaosWorld): Promise<number | 'connection lost'> {
    const rows = await this.transaction(async (client) => {
      const users = this.take(6);
      if (!users) return undefined;
      const [connector, innovator, requestor, introducee, offering, offered] = users;
      return {
        intro: await this.introRow(client, connector, innovator, null),
        connection: await this.connectionRow(client, requestor, introducee),
        offer: await this.offerRow(client, offering, offered),
        users,
      };
    }).catch(() => null);
    if (rows === null) return 'connection lost';
    if (!rows) return Number.NaN;
    const [connector, innovator, requestor, introducee, offering, offered] = rows.users;
    const locker = await world.pool.connect();
    let lost = false;
    const onError = () => (lost = true);
    locker.on('error', onError);
    let events: string[] = [];
    let allFailed = false;
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM intro_opportunities WHERE id = $1 FOR UPDATE`, [rows.intro]);
      await locker.query(`SELECT 1 FROM connection_requests WHERE id = $1 FOR UPDATE`, [rows.connection]);
      await locker.query(`SELECT 1 FROM intro_offers WHERE id = $1 FOR UPDATE`, [rows.offer]);
      const firsts = await this.transaction(async (client) => {
        const intro = await this.chain(client, 'intro_opportunity', rows.intro, [
          [
            'intro.opportunity_created',
            { introOpportunityId: rows.intro, connectorUserId: connector, innovatorId: innovator, bountyCredits: 50 },
          ],
          [
            'intro.opportunity_accepted',
            { introOpportunityId: rows.intro, connectorUserId: connector, innovatorId: innovator },
          ],
          ['intro.opportunity_completed', { introOpportunityId: rows.intro }],
        ]);
        const connection = await this.chain(
          client,
          'connection_request',
          rows.connection,
          this.connectionChain(rows.connection, requestor, introducee, 'connection-completed'),
        );
        const offer = await this.chain(
          client,
          'intro_offer',
          rows.offer,
          this.offerChain(rows.offer, offering, offered, 'offer-confirmed'),
        );
        events = [...intro, ...connection, ...offer];
        return [intro[0], connection[0], offer[0]];
      });
      if (!firsts) return Number.NaN;
      this.stats.expectedCredits += 3;
      this.stats.scenarios['locked-rows'] = (this.stats.scenarios['locked-rows'] ?? 0) + 1;
      // Handlers yield to user turns: after an outage the texts' backlog may keep them waiting.
      await timeUntil(async () => {
        if (lost) return true;
        const { rows: failed } = await world.pool
          .query<{ n: number }>(
            `SELECT count(DISTINCT event_id)::int AS n FROM test_event_audit WHERE transition = 'retry' AND event_id = ANY($1::uuid[])`,
            [firsts],
          )
          .catch(() => ({ rows: [{ n: 0 }] }));
        allFailed = failed[0].n === firsts.length;
        return allFailed;
      }, 180_000);
    } finally {
      await locker.query('COMMIT').catch(ignore);
      locker.off('error', onError);
      // A connection the database dropped must not go back to the pool.
      locker.release(lost);
    }
    if (lost && !allFailed) return 'connection lost';
    return timeUntil(async () => {
      const { rows: left } = await world.pool
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events WHERE id = ANY($1::uuid[]) AND processing_state NOT IN ('done', 'dead')`,
          [events],
        )
        .catch(() => ({ rows: [{ n: 1 }] }));
      return left[0].n === 0;
    }, 60_000);
  }
}

async function one(client: pg.PoolClient, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await client.query<{ id: string }>(sql, params);
  return rows[0].id;
}

/** The fault that makes workflow handlers fail for certain (see `WorkflowLoad.lockedScenario`). */
export function workflowRowLock(load: WorkflowLoad): Fault {
  return { kind: 'workflow-row-lock', run: (world) => load.lockedScenario(world) };
}
