import type { SeededUser } from '../support/seed';
import { expectEventually } from '../support/eventually';
import { WorkflowsHarness } from './workflows-harness';

/** The three intro flows on real PostgreSQL, through the engine, with retries and replays. */
describe('intro workflows', () => {
  let h: WorkflowsHarness;

  beforeAll(async () => {
    h = await WorkflowsHarness.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const intro = async (connector: SeededUser, innovator: SeededUser, prospectId: string | null, bounty = 50) =>
    (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO intro_opportunities (connector_user_id, innovator_id, prospect_id, first_name, last_name,
           prospect_company, innovator_name, bounty_credits, status)
         VALUES ($1, $2, $3, 'Dana', 'Reyes', 'Northwind', 'Ivy Labs', $4, 'open') RETURNING id`,
        [connector.userId, innovator.userId, prospectId, bounty],
      )
    ).rows[0].id;
  const introEvent = (type: string, id: string, payload: Record<string, unknown>) =>
    h.emit(type, { introOpportunityId: id, ...payload }, { id, type: 'intro_opportunity' });
  const priority = async (userId: string, itemId: string) =>
    (
      await h.db.pool.query<{ status: string; value_score: number; priority_rank: number }>(
        `SELECT status, value_score, priority_rank FROM user_priorities WHERE user_id = $1 AND item_id = $2`,
        [userId, itemId],
      )
    ).rows[0];
  const statusOf = async (table: string, id: string) =>
    (await h.db.pool.query<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id])).rows[0].status;
  const credits = async (userId: string) =>
    (
      await h.db.pool.query<{ idempotency_key: string; amount: number }>(
        `SELECT idempotency_key, amount FROM credit_events WHERE user_id = $1 ORDER BY created_at`,
        [userId],
      )
    ).rows;
  const balance = async (userId: string) =>
    (await h.db.pool.query<{ credit_balance: number }>(`SELECT credit_balance FROM users WHERE id = $1`, [userId]))
      .rows[0].credit_balance;
  const live = (userId: string) => h.texts(userId);

  it('scores, accepts and completes an intro opportunity: bounty once, competitors expired, both parties texted', async () => {
    const innovator = await h.member({ first_name: 'Ivy', poc_agent_type: 'innovator' });
    const connector = await h.member({ first_name: 'Cole' });
    const rival = await h.member({ first_name: 'Rae' });
    const prospect = (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO prospects (innovator_id, first_name, last_name, company) VALUES ($1, 'Dana', 'Reyes', 'Northwind') RETURNING id`,
        [innovator.userId],
      )
    ).rows[0].id;
    const mine = await intro(connector, innovator, prospect);
    const theirs = await intro(rival, innovator, prospect);

    for (const [id, who] of [
      [mine, connector],
      [theirs, rival],
    ] as const) {
      await h.done(
        await introEvent('intro.opportunity_created', id, {
          connectorUserId: who.userId,
          innovatorId: innovator.userId,
          prospectId: prospect,
          bountyCredits: 50,
        }),
      );
    }
    expect(await priority(connector.userId, mine)).toEqual({ status: 'active', value_score: 60, priority_rank: 1 });

    // The connector's agent accepted (the tool sets the status, then publishes).
    await h.db.pool.query(`UPDATE intro_opportunities SET status = 'accepted' WHERE id = $1`, [mine]);
    await h.done(
      await introEvent('intro.opportunity_accepted', mine, {
        connectorUserId: connector.userId,
        innovatorId: innovator.userId,
      }),
    );
    expect((await priority(connector.userId, mine)).status).toBe('actioned');
    expect((await live(innovator.userId)).map((row) => row.final_message)).toEqual([
      "Cole agreed to introduce you to Dana Reyes at Northwind. I'll let you know when it happens.",
    ]);

    const completed = await introEvent('intro.opportunity_completed', mine, {});
    await h.done(completed);
    await h.replay(completed);
    const duplicate = await introEvent('intro.opportunity_completed', mine, {});
    await h.done(duplicate);

    expect(await statusOf('intro_opportunities', mine)).toBe('completed');
    expect(await credits(connector.userId)).toEqual([
      { idempotency_key: `intro.completed:${mine}:${connector.userId}`, amount: 50 },
    ]);
    expect(await balance(connector.userId)).toBe(50);
    expect(await statusOf('intro_opportunities', theirs)).toBe('expired');
    expect((await priority(rival.userId, theirs)).status).toBe('expired');
    expect((await live(connector.userId)).map((row) => [row.final_message, row.subject])).toEqual([
      ['Thanks for introducing Dana Reyes at Northwind. 50 credits are in your account.', `intro_opportunity:${mine}`],
    ]);
    // The newer text on the same subject supersedes the acceptance news if it was still queued
    // (the dispatcher, running alongside, may already have sent it).
    const innovatorTexts = await h.queued(innovator.userId);
    expect(innovatorTexts.map((row) => row.final_message)).toEqual([
      "Cole agreed to introduce you to Dana Reyes at Northwind. I'll let you know when it happens.",
      'Cole made the intro to Dana Reyes at Northwind. Let me know how it goes.',
    ]);
    expect(['superseded', 'sent']).toContain(innovatorTexts[0].status);
    expect(innovatorTexts[1].status).not.toBe('superseded');

    // Accepting the expired competitor is an impossible transition: a dead letter, nothing changed.
    const late = await introEvent('intro.opportunity_accepted', theirs, { connectorUserId: rival.userId });
    expect((await h.dead(late)).last_error).toBe(`cannot accept intro opportunity ${theirs}: it is expired`);
    expect(await statusOf('intro_opportunities', theirs)).toBe('expired');
  });

  it('handles events of one intro in order when accept and complete land together', async () => {
    const innovator = await h.member({ poc_agent_type: 'innovator' });
    const connector = await h.member();
    const id = await intro(connector, innovator, null, 30);
    const client = await h.db.pool.connect();
    try {
      await client.query('BEGIN');
      for (const [type, payload] of [
        ['intro.opportunity_created', { connectorUserId: connector.userId, bountyCredits: 30 }],
        ['intro.opportunity_accepted', { connectorUserId: connector.userId }],
        ['intro.opportunity_completed', {}],
      ] as const) {
        await client.query(
          `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, created_at)
           VALUES ($1, $2, 'intro_opportunity', $3, clock_timestamp())`,
          [type, id, { introOpportunityId: id, ...payload }],
        );
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await expectEventually(async () => expect(await statusOf('intro_opportunities', id)).toBe('completed'));
    const rows = await h.db.pool.query(`SELECT processing_state FROM events WHERE aggregate_id = $1`, [id]);
    await expectEventually(async () =>
      expect(
        (await h.db.pool.query(`SELECT processing_state FROM events WHERE aggregate_id = $1`, [id])).rows.every(
          (row) => row.processing_state === 'done',
        ),
      ).toBe(true),
    );
    expect(rows.rowCount).toBe(3);
    expect((await priority(connector.userId, id)).status).toBe('actioned');
    expect(await balance(connector.userId)).toBe(30);
  });

  it('declines and cancels intro opportunities: status, reason and priorities once, never after completion', async () => {
    const innovator = await h.member({ poc_agent_type: 'innovator' });
    const connector = await h.member();
    const declinedId = await intro(connector, innovator, null);
    const cancelledId = await intro(connector, innovator, null);
    for (const id of [declinedId, cancelledId]) {
      await h.done(
        await introEvent('intro.opportunity_created', id, { connectorUserId: connector.userId, bountyCredits: 20 }),
      );
      expect((await priority(connector.userId, id)).status).toBe('active');
    }

    const declined = await introEvent('intro.opportunity_declined', declinedId, {
      connectorUserId: connector.userId,
      reason: 'I do not know her well enough',
    });
    await h.done(declined);
    await h.replay(declined);
    const row = await h.db.pool.query(`SELECT status, connector_response FROM intro_opportunities WHERE id = $1`, [
      declinedId,
    ]);
    expect(row.rows[0]).toEqual({ status: 'rejected', connector_response: 'I do not know her well enough' });
    expect((await priority(connector.userId, declinedId)).status).toBe('expired');
    const declineKeys = await h.db.pool.query(`SELECT event_id FROM workflow_once_keys WHERE key = $1`, [
      `intro_opportunity.declined:${declinedId}`,
    ]);
    expect(declineKeys.rows).toEqual([{ event_id: declined }]);

    const cancelled = await introEvent('intro.opportunity_cancelled', cancelledId, {});
    await h.done(cancelled);
    await h.replay(cancelled);
    expect(await statusOf('intro_opportunities', cancelledId)).toBe('cancelled');
    expect((await priority(connector.userId, cancelledId)).status).toBe('cancelled');
    // Neither tells anyone: the connector said no themselves, and a cancellation is the innovator's.
    expect(await live(connector.userId)).toEqual([]);
    expect(await live(innovator.userId)).toEqual([]);

    // A completed intro can be neither declined nor cancelled afterwards.
    const done = await intro(connector, innovator, null);
    await h.done(await introEvent('intro.opportunity_completed', done, {}));
    const lateDecline = await introEvent('intro.opportunity_declined', done, { connectorUserId: connector.userId });
    expect((await h.dead(lateDecline)).last_error).toBe(`cannot decline intro opportunity ${done}: it is completed`);
    const lateCancel = await introEvent('intro.opportunity_cancelled', done, {});
    expect((await h.dead(lateCancel)).last_error).toBe(`cannot cancel intro opportunity ${done}: it is completed`);
    expect(await statusOf('intro_opportunities', done)).toBe('completed');
  });

  it('dead-letters an intro event that names nothing, or the wrong connector, with the reason', async () => {
    const innovator = await h.member({ poc_agent_type: 'innovator' });
    const connector = await h.member();
    const stranger = await h.member();
    const id = await intro(connector, innovator, null);
    const nowhere = '11111111-2222-4333-8444-555555555555';
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['intro.opportunity_completed', nowhere, {}, `intro opportunity ${nowhere} does not exist`],
      [
        'intro.opportunity_accepted',
        id,
        { connectorUserId: stranger.userId },
        `intro opportunity ${id} does not belong to connector ${stranger.userId}`,
      ],
      [
        'intro.opportunity_created',
        id,
        { connectorUserId: connector.userId, bountyCredits: -5 },
        'invalid intro.opportunity_created payload: bountyCredits must not be less than 0',
      ],
    ];
    for (const [type, target, payload, error] of cases) {
      const event = await introEvent(type, target, payload);
      const row = await h.dead(event);
      expect(row).toMatchObject({ attempts: 1, last_error: error });
    }
    expect(await statusOf('intro_opportunities', id)).toBe('open');
  });

  it('runs a connection request: priority by vouches, accept texts the requestor, completion pays the bounty once', async () => {
    const requestor = await h.member({ first_name: 'Remy', poc_agent_type: 'innovator' });
    const introducee = await h.member({ first_name: 'Ines' });
    const voucher = await h.member();
    const id = (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, requestor_company,
           vouched_by_user_ids, bounty_credits, status)
         VALUES ($1, $2, 'Remy Stone', 'Ivy Labs', $3, 40, 'open') RETURNING id`,
        [introducee.userId, requestor.userId, [voucher.userId]],
      )
    ).rows[0].id;
    const parties = { connectionRequestId: id, requestorUserId: requestor.userId, introduceeUserId: introducee.userId };
    const aggregate = { id, type: 'connection_request' };
    await h.done(await h.emit('connection.request_created', { ...parties, bountyCredits: 40 }, aggregate));
    expect(await priority(introducee.userId, id)).toMatchObject({ status: 'active', value_score: 69 });

    await h.db.pool.query(`UPDATE connection_requests SET status = 'accepted' WHERE id = $1`, [id]);
    const accepted = await h.emit('connection.request_accepted', parties, aggregate);
    await h.done(accepted);
    await h.replay(accepted);
    expect((await priority(introducee.userId, id)).status).toBe('actioned');
    expect((await live(requestor.userId)).map((row) => row.final_message)).toEqual([
      "Ines is open to meeting you. I'll set up the introduction.",
    ]);

    const completed = await h.emit('connection.request_completed', { connectionRequestId: id }, aggregate);
    await h.done(completed);
    await h.replay(completed);
    expect(await credits(introducee.userId)).toEqual([
      { idempotency_key: `connection.completed:${id}:${introducee.userId}`, amount: 40 },
    ]);
    expect((await live(introducee.userId)).map((row) => row.final_message)).toEqual([
      'Thanks for meeting Remy Stone. 40 credits are in your account.',
    ]);
    const declineAfter = await h.emit('connection.request_declined', parties, aggregate);
    expect((await h.dead(declineAfter)).last_error).toBe(
      `cannot mark connection request ${id} declined: it is completed`,
    );
  });

  it('runs an intro offer: warm bounty, confirmation priority and reminder, confirmed bounty once, both told', async () => {
    const offering = await h.member({ first_name: 'Omar' });
    const introducee = await h.member({ first_name: 'Iris', poc_agent_type: 'innovator' });
    await h.db.pool.query(
      `INSERT INTO innovators (user_id, company_name, warm_intro_bounty) VALUES ($1, 'Iris Co', 40)`,
      [introducee.userId],
    );
    const id = (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company)
         VALUES ($1, $2, 'Pia Lund', 'Fjord') RETURNING id`,
        [offering.userId, introducee.userId],
      )
    ).rows[0].id;
    const aggregate = { id, type: 'intro_offer' };
    const parties = { introOfferId: id, offeringUserId: offering.userId, introduceeUserId: introducee.userId };
    await h.done(
      await h.emit(
        'intro.offer_created',
        { ...parties, prospectName: 'Pia Lund', prospectCompany: 'Fjord' },
        aggregate,
      ),
    );
    expect(await priority(introducee.userId, id)).toMatchObject({ status: 'active', value_score: 85 });
    const offer = async () =>
      (await h.db.pool.query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [id])).rows[0];
    expect(await offer()).toEqual({ status: 'pending_introducee_response', bounty_credits: 40 });

    await h.done(await h.emit('intro.offer_accepted', { ...parties, bountyCredits: 40 }, aggregate));
    expect(await offer()).toEqual({ status: 'pending_connector_confirmation', bounty_credits: 40 });
    expect((await priority(introducee.userId, id)).status).toBe('actioned');
    expect(await priority(offering.userId, id)).toMatchObject({ status: 'active', value_score: 80 });

    // The reminder task comes due: the runner turns it into intro.offer_reminder, which texts the connector.
    await h.db.pool.query(
      `UPDATE agent_tasks SET scheduled_for = now() WHERE task_type = 'intro_offer_confirmation_reminder' AND context_id = $1`,
      [id],
    );
    await expectEventually(async () =>
      expect((await live(offering.userId)).map((row) => [row.final_message, row.priority]).at(-1)).toEqual([
        'Did the intro between Iris and Pia Lund at Fjord happen? A quick yes is enough.',
        'low',
      ]),
    );
    const tasks = await h.db.pool.query(`SELECT status FROM agent_tasks WHERE context_id = $1`, [id]);
    expect(tasks.rows).toEqual([{ status: 'completed' }]);

    const confirmed = await h.emit('intro.offer_confirmed', { ...parties, bountyCredits: 40 }, aggregate);
    await h.done(confirmed);
    await h.replay(confirmed);
    expect(await offer()).toEqual({ status: 'completed', bounty_credits: 40 });
    expect(await credits(offering.userId)).toEqual([
      { idempotency_key: `intro_offer.confirmed:${id}:${offering.userId}`, amount: 40 },
    ]);
    expect((await live(offering.userId)).map((row) => row.final_message).at(-1)).toBe(
      'Thanks for introducing Iris to Pia Lund at Fjord. 40 credits are in your account.',
    );
    expect(
      (await h.queued(offering.userId)).filter((row) => row.final_message.startsWith('Thanks for introducing')),
    ).toHaveLength(1);
    expect((await live(introducee.userId)).map((row) => row.final_message)).toEqual([
      'Omar has introduced you to Pia Lund at Fjord. Let me know how it goes.',
    ]);
    expect((await priority(offering.userId, id)).status).toBe('actioned');
    const declined = await h.emit('intro.offer_declined', { ...parties, bountyCredits: 0 }, aggregate);
    expect((await h.dead(declined)).last_error).toBe(`cannot decline intro offer ${id}: it is completed`);
  });

  it('declines an accepted intro offer: priorities expired, reminder cancelled, the offerer thanked once; a late reminder says nothing', async () => {
    const offering = await h.member({ first_name: 'Noor' });
    const introducee = await h.member({ first_name: 'Theo' });
    const id = (
      await h.db.pool.query<{ id: string }>(
        `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company)
         VALUES ($1, $2, 'Lia Berg', 'Kestrel') RETURNING id`,
        [offering.userId, introducee.userId],
      )
    ).rows[0].id;
    const aggregate = { id, type: 'intro_offer' };
    const parties = { introOfferId: id, offeringUserId: offering.userId, introduceeUserId: introducee.userId };
    await h.done(await h.emit('intro.offer_created', { ...parties, prospectName: 'Lia Berg' }, aggregate));
    await h.done(await h.emit('intro.offer_accepted', { ...parties, bountyCredits: 0 }, aggregate));
    expect(await priority(offering.userId, id)).toMatchObject({ status: 'active', value_score: 80 });
    const [reminder] = await h.tasks(offering.userId, 'intro_offer_confirmation_reminder');
    expect(reminder.status).toBe('pending');

    const declined = await h.emit('intro.offer_declined', { ...parties, bountyCredits: 0 }, aggregate);
    await h.done(declined);
    await h.replay(declined);
    expect(await statusOf('intro_offers', id)).toBe('declined');
    expect((await priority(offering.userId, id)).status).toBe('expired');
    expect((await h.tasks(offering.userId, 'intro_offer_confirmation_reminder')).map((task) => task.status)).toEqual([
      'cancelled',
    ]);
    const thanks = 'Theo will pass on the intro to Lia Berg at Kestrel for now. Thanks for offering it.';
    expect((await h.queued(offering.userId)).filter((row) => row.final_message === thanks)).toHaveLength(1);

    // A reminder that fires anyway (another component's task, a replay) finds nothing to ask.
    const before = (await h.queued(offering.userId)).length;
    await h.done(await h.emit('intro.offer_reminder', { introOfferId: id }, aggregate));
    expect(await h.queued(offering.userId)).toHaveLength(before);
  });

  it('keeps every balance equal to the sum of its ledger', async () => {
    const rows = await h.db.pool.query<{ id: string; credit_balance: number; ledger: number }>(
      `SELECT u.id, u.credit_balance, COALESCE(sum(c.amount), 0)::int AS ledger
       FROM users u LEFT JOIN credit_events c ON c.user_id = u.id GROUP BY u.id`,
    );
    expect(rows.rows.filter((row) => row.credit_balance !== 0).length).toBeGreaterThanOrEqual(3);
    expect(rows.rows.filter((row) => row.credit_balance !== row.ledger)).toEqual([]);
  });

  it('answers user.intro_inquiry with an intro_followup_check task: the intro state texted once per inquiry', async () => {
    const innovator = await h.member({ first_name: 'Ivy', poc_agent_type: 'innovator' });
    const connector = await h.member({ first_name: 'Cole' });
    const stranger = await h.member();
    const id = await intro(connector, innovator, null);
    const inquiry = await h.emit(
      'user.intro_inquiry',
      { userId: innovator.userId, introType: 'intro_opportunity', introId: id },
      { id: innovator.userId, type: 'user' },
    );
    await h.done(inquiry);
    await h.replay(inquiry);
    const [task, ...more] = await h.tasks(innovator.userId, 'intro_followup_check');
    expect(more).toEqual([]);
    expect(task).toMatchObject({ agent_type: 'innovator', priority: 'high' });
    expect(await h.runTask(task.id)).toMatchObject({
      status: 'completed',
      result_json: { status: 'open', queued: true },
    });
    expect((await live(innovator.userId)).map((row) => [row.final_message, row.subject, row.agent_id])).toEqual([
      [
        "About your intro with Dana Reyes: it's still waiting on a reply. I'll tell you as soon as it moves.",
        `intro_opportunity:${id}`,
        'innovator',
      ],
    ]);

    // Not a party, no such intro, a bad type: dead letters at once; nothing scheduled.
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ userId: stranger.userId, introType: 'intro_opportunity', introId: id }, /is not a party to intro_opportunity/],
      [
        { userId: stranger.userId, introType: 'intro_offer', introId: '00000000-0000-4000-8000-000000000000' },
        /^intro_offer 00000000-0000-4000-8000-000000000000 does not exist$/,
      ],
      [{ userId: stranger.userId, introType: 'gossip', introId: id }, /introType must be one of/],
    ];
    for (const [payload, error] of bad) {
      const row = await h.dead(await h.emit('user.intro_inquiry', payload));
      expect(row.last_error).toMatch(error);
    }
    expect(await h.tasks(stranger.userId)).toEqual([]);
    // A followup task from elsewhere about someone else's intro fails at once.
    const stray = await h.addTask({
      taskType: 'intro_followup_check',
      userId: stranger.userId,
      context: { introType: 'intro_opportunity', introId: id },
      maxRetries: 5,
    });
    expect(await h.runTask(stray)).toMatchObject({ status: 'failed', retry_count: 1 });
    expect(await h.queued(stranger.userId)).toEqual([]);
  });
});
