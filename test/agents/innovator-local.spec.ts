import { createHash } from 'node:crypto';
import { ActionApplier } from '../../src/agents/action-applier';
import { AgentsHarness } from './agents-harness';
import { addCredits, creditTotal, eventsOf, seedInnovatorWorld } from './innovator-fixtures';
import { logTypes } from '../support/action-log';

const URL_PATTERN = /https:\/\/yachtparty\.xyz\/prospects\/upload\/([A-Za-z0-9_-]+)/;

/** The Innovator on the local model: every tool, scenario and safety rule, turns committed on real PostgreSQL. */
describe('Innovator on the local model', () => {
  let harness: AgentsHarness;
  beforeAll(async () => {
    harness = await AgentsHarness.start();
  });
  afterAll(async () => {
    await harness?.close();
  });
  const pool = () => harness.db.pool;

  describe('check_intro_progress', () => {
    it('reports the innovator’s own intros from real rows, and none of another innovator’s', async () => {
      const world = await seedInnovatorWorld(pool());
      const turn = await harness.send(world.innovator, ['how are my intros going?']);

      expect(turn.result.agent).toBe('innovator');
      const text = turn.replies.join('\n');
      expect(text).toContain('3 intros in flight.');
      expect(text).toContain('Jordan Blake (Initech): a connector agreed and is arranging it.');
      expect(text).toContain('Riley Stone (Umbrella Bank): a connector has been asked.');
      expect(text).toContain('Casey Moore (Globex Credit Union): offered to you, waiting for your yes or no.');
      expect(text).not.toMatch(/Quentin|Hollis|Hooli/);
      for (const reply of turn.replies) expect(reply.length).toBeLessThanOrEqual(200);
      expect(await logTypes(pool(), world.innovator.userId)).not.toContain('tool_call_refused');
    });

    it('says so when nothing is in flight instead of inventing intros', async () => {
      const lone = await harness.newUser({ verified: true, poc_agent_type: 'innovator', first_name: 'Sam' });
      const turn = await harness.send(lone, ['any updates on my intros?']);
      expect(turn.replies).toEqual([
        'No intros in flight yet. Send me your target list and I will start matching; ask for an upload link.',
      ]);
    });
  });

  describe('update_innovator_profile', () => {
    it('writes only the stated fields of the user’s own row and emits innovator.profile_updated', async () => {
      const world = await seedInnovatorWorld(pool());
      const before = await pool().query(`SELECT * FROM innovators WHERE user_id = $1`, [world.other.userId]);

      const turn = await harness.send(world.innovator, [
        'Our target customer is controllers at regional credit unions',
      ]);

      expect(turn.replies).toEqual(['Updated your target customer. Better matching starts now.']);
      const { rows } = await pool().query(
        `SELECT target_customer_profile, solution_description, credits_balance FROM innovators WHERE user_id = $1`,
        [world.innovator.userId],
      );
      expect(rows[0]).toEqual({
        target_customer_profile: 'controllers at regional credit unions',
        solution_description: 'automated reconciliation for finance teams',
        credits_balance: 0,
      });
      const after = await pool().query(`SELECT * FROM innovators WHERE user_id = $1`, [world.other.userId]);
      expect(after.rows).toEqual(before.rows);
      const events = (await eventsOf(pool(), 'innovator.profile_updated')).filter(
        (e) => e.aggregate_id === world.innovator.userId,
      );
      expect(events).toEqual([
        {
          aggregate_id: world.innovator.userId,
          aggregate_type: 'user',
          payload: { userId: world.innovator.userId, fields: ['target_customer_profile'] },
          created_by: 'innovator_agent',
        },
      ]);
    });

    it('creates the innovators row when the member has none yet', async () => {
      const fresh = await harness.newUser({ verified: true, poc_agent_type: 'innovator', first_name: 'Lee' });
      await harness.send(fresh, ['We sell fraud scoring for card issuers']);
      const { rows } = await pool().query(
        `SELECT solution_description, warm_intro_bounty FROM innovators WHERE user_id = $1`,
        [fresh.userId],
      );
      expect(rows).toEqual([{ solution_description: 'fraud scoring for card issuers', warm_intro_bounty: 25 }]);
    });

    it('refuses a warm intro bounty above the available credits, and says what is available', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 60 });
      const turn = await harness.send(world.innovator, ['set my warm intro bounty to 200']);
      expect(turn.replies.join(' ')).toContain('above your available credits (60)');
      const { rows } = await pool().query(`SELECT warm_intro_bounty FROM innovators WHERE user_id = $1`, [
        world.innovator.userId,
      ]);
      expect(rows[0].warm_intro_bounty).toBe(25);
      expect(await logTypes(pool(), world.innovator.userId)).toContain('tool_call_refused');
    });

    it('accepts a warm intro bounty the credits cover', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 300 });
      await harness.send(world.innovator, ['set my warm intro bounty to 40']);
      const { rows } = await pool().query(`SELECT warm_intro_bounty FROM innovators WHERE user_id = $1`, [
        world.innovator.userId,
      ]);
      expect(rows[0].warm_intro_bounty).toBe(40);
    });
  });

  describe('upload_prospects', () => {
    it('sends a tokenised link that expires; only its hash is stored and no log or event carries the token', async () => {
      const world = await seedInnovatorWorld(pool());
      const turn = await harness.send(world.innovator, ['I want to upload my prospect list']);

      const text = turn.replies.join('\n');
      const token = URL_PATTERN.exec(text)?.[1];
      expect(token).toBeDefined();
      expect(text).toContain('valid 72 hours');
      const { rows } = await pool().query<{ token_sha256: string; hours: number; used_at: Date | null }>(
        `SELECT token_sha256, round(extract(epoch FROM expires_at - created_at) / 3600) AS hours, used_at
         FROM prospect_upload_links WHERE user_id = $1`,
        [world.innovator.userId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_sha256).toBe(
        createHash('sha256')
          .update(token as string)
          .digest('hex'),
      );
      expect(Number(rows[0].hours)).toBe(72);
      const logs = await pool().query(
        `SELECT row_to_json(l)::text AS row FROM agent_actions_log l WHERE user_id = $1`,
        [world.innovator.userId],
      );
      expect(logs.rows.map((r) => r.row).join('\n')).not.toContain(token);
      const events = await pool().query(`SELECT payload::text AS payload FROM events WHERE event_type = $1`, [
        'prospects.upload_link_created',
      ]);
      expect(events.rows.length).toBeGreaterThan(0);
      expect(events.rows.map((r) => r.payload).join('\n')).not.toContain(token);
    });

    it('gives each request its own token', async () => {
      const world = await seedInnovatorWorld(pool());
      const first = URL_PATTERN.exec((await harness.send(world.innovator, ['upload link please'])).replies.join(' '));
      const second = URL_PATTERN.exec((await harness.send(world.innovator, ['another upload link'])).replies.join(' '));
      expect(first?.[1]).toBeDefined();
      expect(second?.[1]).toBeDefined();
      expect(first?.[1]).not.toBe(second?.[1]);
    });
  });

  describe('request_credit_funding', () => {
    it('gives a payment link marked as a placeholder and moves no credits', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 30 });
      const turn = await harness.send(world.innovator, ['I want to buy 500 credits']);
      const text = turn.replies.join('\n');
      expect(text).toContain('placeholder link for 500 credits: https://yachtparty.xyz/credits/fund');
      expect(text).toContain('Available now: 30.');
      expect(await creditTotal(pool(), world.innovator.userId)).toBe(30);
    });

    it('never funds credits because the user says they paid', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 30 });
      const turn = await harness.send(world.innovator, ['I just paid, give me 1000 credits now']);
      expect(await creditTotal(pool(), world.innovator.userId)).toBe(30);
      const { rows } = await pool().query(`SELECT credit_balance FROM users WHERE id = $1`, [world.innovator.userId]);
      expect(rows[0].credit_balance).toBe(0);
      expect(turn.replies.join(' ')).toMatch(/placeholder/);
    });
  });

  describe('request_connection', () => {
    it('asks to meet a member who answered their question, holding the bounty, and emits connection.request_created', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 50 });
      const turn = await harness.send(world.innovator, ['I would like to meet Dana, I can offer 40 credits']);

      expect(turn.replies).toEqual([
        'Done: I asked Dana to connect, with a 40-credit bounty held from your balance. I will tell you when they answer.',
      ]);
      const { rows } = await pool().query(
        `SELECT id, introducee_user_id, requestor_user_id, bounty_credits, status, requestor_name FROM connection_requests
         WHERE requestor_user_id = $1`,
        [world.innovator.userId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        introducee_user_id: world.responder.userId,
        requestor_user_id: world.innovator.userId,
        bounty_credits: 40,
        status: 'open',
        requestor_name: 'Avery Quinn',
      });
      const events = (await eventsOf(pool(), 'connection.request_created')).filter(
        (e) => e.aggregate_id === rows[0].id,
      );
      expect(events).toEqual([
        {
          aggregate_id: rows[0].id,
          aggregate_type: 'connection_request',
          payload: {
            connectionRequestId: rows[0].id,
            requestorUserId: world.innovator.userId,
            introduceeUserId: world.responder.userId,
            bountyCredits: 40,
          },
          created_by: 'innovator_agent',
        },
      ]);

      // 40 of 50 credits are held: a second bounty of 20 is above what is left.
      const again = await harness.send(world.innovator, ['connect me with Dana again, 20 credits']);
      expect(again.replies.join(' ')).toContain('above your available credits (10)');
      const count = await pool().query(
        `SELECT count(*)::int AS n FROM connection_requests WHERE requestor_user_id = $1`,
        [world.innovator.userId],
      );
      expect(count.rows[0].n).toBe(1);
    });

    it('cannot set a bounty above the balance', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      const turn = await harness.send(world.innovator, ['I want to meet Dana, 100 credits bounty']);
      expect(turn.replies.join(' ')).toContain('above your available credits (10)');
      const { rows } = await pool().query(
        `SELECT count(*)::int AS n FROM connection_requests WHERE requestor_user_id = $1`,
        [world.innovator.userId],
      );
      expect(rows[0].n).toBe(0);
      expect(await logTypes(pool(), world.innovator.userId)).toContain('tool_call_refused');
    });

    it('someone outside the context is never guessed: "I want to meet X" publishes a community request', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 100 });
      await harness.send(world.innovator, ['I want to meet the head of payments at Hooli']);
      const { rows } = await pool().query(
        `SELECT count(*)::int AS n FROM connection_requests WHERE requestor_user_id = $1`,
        [world.innovator.userId],
      );
      expect(rows[0].n).toBe(0);
      const published = (await eventsOf(pool(), 'community.request_needed')).filter(
        (e) => e.aggregate_id === world.innovator.userId,
      );
      expect(published).toHaveLength(1);
      // The request is the Innovator's, in the payload (the workflows store it) as in created_by.
      expect(published[0].payload).toMatchObject({
        requestingUserId: world.innovator.userId,
        requestingAgentType: 'innovator',
      });
      expect(published[0].created_by).toBe('innovator_agent');
    });
  });

  describe('the Concierge’s tools, imported as they are', () => {
    it('accepting an intro offered to the innovator carries their warm-intro bounty and emits intro.offer_accepted', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 100 });
      await pool().query(`UPDATE innovators SET warm_intro_bounty = 40 WHERE user_id = $1`, [world.innovator.userId]);

      const turn = await harness.send(world.innovator, ['yes, I would like the intro to Casey Moore']);

      const { rows } = await pool().query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [
        world.introIds.offer,
      ]);
      expect(rows[0]).toEqual({ status: 'pending_connector_confirmation', bounty_credits: 40 });
      const events = (await eventsOf(pool(), 'intro.offer_accepted')).filter(
        (e) => e.aggregate_id === world.introIds.offer,
      );
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ introOfferId: world.introIds.offer, bountyCredits: 40 });
      // The Concierge's tool, run by the Innovator: the event names the acting agent.
      expect(events[0].created_by).toBe('innovator_agent');
      expect(turn.replies.join(' ')).toContain('Casey Moore');
      for (const reply of turn.replies) expect(reply.length).toBeLessThanOrEqual(200);
    });

    it('refuses to accept an intro offer whose warm-intro bounty exceeds the credits, audited, and says why', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      await pool().query(`UPDATE innovators SET warm_intro_bounty = 40 WHERE user_id = $1`, [world.innovator.userId]);
      const { rows: before } = await pool().query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [
        world.introIds.offer,
      ]);

      const turn = await harness.send(world.innovator, ['yes, I would like the intro to Casey Moore']);

      const { rows } = await pool().query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [
        world.introIds.offer,
      ]);
      expect(rows).toEqual(before);
      expect(
        (await eventsOf(pool(), 'intro.offer_accepted')).filter((e) => e.aggregate_id === world.introIds.offer),
      ).toEqual([]);
      const { rows: refusals } = await pool().query(
        `SELECT input_data, error FROM agent_actions_log WHERE user_id = $1 AND action_type = 'tool_call_refused'`,
        [world.innovator.userId],
      );
      expect(refusals).toEqual([
        {
          input_data: { tool: 'accept_intro_offer' },
          error: 'warm intro bounty of the offer above the available credits',
        },
      ]);
      expect(turn.replies.join(' ')).toContain('40');
      expect(turn.replies.join(' ')).toContain('(10)');
      expect(turn.replies.join(' ')).not.toMatch(/let them know|set up/i);
    });

    it('declining it expires nothing else and carries no bounty', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 100 });
      await harness.send(world.innovator, ['no thanks, pass on the Casey Moore intro']);
      const { rows } = await pool().query(`SELECT status, bounty_credits FROM intro_offers WHERE id = $1`, [
        world.introIds.offer,
      ]);
      expect(rows[0]).toEqual({ status: 'declined', bounty_credits: 0 });
      const { rows: others } = await pool().query(`SELECT status FROM intro_opportunities WHERE innovator_id = $1`, [
        world.innovator.userId,
      ]);
      expect(others.map((r) => r.status).sort()).toEqual(['accepted', 'open']);
    });

    it('cannot accept an intro opportunity where the innovator is the innovator, not the connector', async () => {
      const world = await seedInnovatorWorld(pool());
      const turn = await harness.send(world.innovator, ['yes to Riley Stone']);
      const { rows } = await pool().query(`SELECT status FROM intro_opportunities WHERE id = $1`, [
        world.introIds.open,
      ]);
      expect(rows[0].status).toBe('open');
      expect(turn.result.outcome.events.filter((e) => e.event_type === 'intro.opportunity_accepted')).toEqual([]);
    });
  });

  describe('scenarios', () => {
    it('community_response_shared: shares who answered their own question, never their contact details', async () => {
      const world = await seedInnovatorWorld(pool());
      const turn = await harness.send(world.innovator, ['did anyone answer my question?']);
      const text = turn.replies.join(' ');
      expect(text).toContain('Dana answered your question: controllers own it at most regional banks');
      expect(text).not.toMatch(/dana\.whitfield|linkedin|Whitfield/i);
    });

    it('profile_update_prompt: asks for what matching still needs', async () => {
      const bare = await harness.newUser({ verified: true, poc_agent_type: 'innovator', first_name: 'Kit' });
      const turn = await harness.send(bare, ['hello']);
      expect(turn.replies).toEqual([
        'To target intros well I still need your solution and target customer. A sentence each is enough.',
      ]);
    });

    it('answers the fixed questions and ends a thank-you loop without emoji', async () => {
      const world = await seedInnovatorWorld(pool());
      const question = await harness.send(world.innovator, ['who runs this?']);
      expect(question.replies[0]).toContain('Snap, Yahoo and Magnite');
      const thanks = await harness.send(world.innovator, ['thanks']);
      expect(thanks.replies).toEqual([]);
    });

    it('schedules the next re-engagement check after the innovator writes', async () => {
      const world = await seedInnovatorWorld(pool());
      await harness.send(world.innovator, ['hello']);
      const { rows } = await pool().query(
        `SELECT agent_type, status, round(extract(epoch FROM scheduled_for - now()) / 86400) AS days
         FROM agent_tasks WHERE user_id = $1 AND task_type = 're_engagement_check'`,
        [world.innovator.userId],
      );
      expect(rows).toEqual([{ agent_type: 'innovator', status: 'pending', days: '14' }]);
    });
  });

  describe('re-engagement', () => {
    const check = (attemptCount = 1) => JSON.stringify({ type: 're_engagement_check', attemptCount });

    it('queues one nudge about open threads, never an immediate reply, and schedules the next check', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      const turn = await harness.send(world.innovator, [check()], 'system');

      expect(turn.replies).toEqual([]);
      const queued = await harness.queued(world.innovator.userId);
      expect(queued.map((q) => [q.agent_id, q.subject, q.priority, q.requires_fresh_context])).toEqual(
        queued.map(() => ['innovator', 're_engagement:innovator', 'low', true]),
      );
      const text = queued.map((q) => q.final_message).join(' ');
      expect(text).toContain('Update: 1 of your 3 intros moved forward.');
      expect(text).toContain('Your available credits are down to 10');
      expect(await logTypes(pool(), world.innovator.userId)).toContain('re_engagement_message_sent');
      const tasks = await pool().query(
        `SELECT context_json FROM agent_tasks WHERE user_id = $1 AND status = 'pending' AND task_type = 're_engagement_check'`,
        [world.innovator.userId],
      );
      expect(tasks.rows).toEqual([{ context_json: { reason: 'innovator_re_engagement', attemptCount: 2 } }]);
    });

    it('throttles a second check within 7 days before any model call, rescheduling it', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      await harness.send(world.innovator, [check()], 'system');
      const queuedBefore = (await harness.queued(world.innovator.userId)).length;

      const turn = await harness.send(world.innovator, [check(2)], 'system');

      expect(turn.replies).toEqual([]);
      expect(await harness.queued(world.innovator.userId)).toHaveLength(queuedBefore);
      const logs = await logTypes(pool(), world.innovator.userId);
      expect(logs.filter((t) => t === 're_engagement_throttled')).toHaveLength(1);
      expect(logs.filter((t) => t === 'llm_call')).toHaveLength(2); // decide + render of the first check only
      const { rows } = await pool().query(
        `SELECT round(extract(epoch FROM scheduled_for - now()) / 86400) AS days FROM agent_tasks
         WHERE user_id = $1 AND status = 'pending' AND task_type = 're_engagement_check'`,
        [world.innovator.userId],
      );
      expect(rows).toEqual([{ days: '7' }]);
    });

    it('pauses after 3 unanswered nudges within 90 days: no text, no new check', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      for (const daysAgo of [30, 20, 10]) {
        await pool().query(
          `INSERT INTO agent_actions_log (agent_type, action_type, user_id, created_at)
           VALUES ('innovator', 're_engagement_message_sent', $1, now() - make_interval(days => $2))`,
          [world.innovator.userId, daysAgo],
        );
      }
      const turn = await harness.send(world.innovator, [check(4)], 'system');
      expect(turn.replies).toEqual([]);
      expect(await harness.queued(world.innovator.userId)).toEqual([]);
      expect(await logTypes(pool(), world.innovator.userId)).toContain('re_engagement_paused');
      const { rows } = await pool().query(
        `SELECT count(*)::int AS n FROM agent_tasks WHERE user_id = $1 AND status = 'pending'`,
        [world.innovator.userId],
      );
      expect(rows[0].n).toBe(0);
    });

    it('counts only nudges since the innovator last wrote', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 10 });
      for (const daysAgo of [40, 30, 20]) {
        await pool().query(
          `INSERT INTO agent_actions_log (agent_type, action_type, user_id, created_at)
           VALUES ('innovator', 're_engagement_message_sent', $1, now() - make_interval(days => $2))`,
          [world.innovator.userId, daysAgo],
        );
      }
      await pool().query(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, processing_state, created_at)
         VALUES ($1, $2, 'user', 'back again', 'inbound', 'delivered', 'done', now() - interval '15 days')`,
        [world.innovator.conversationId, world.innovator.userId],
      );
      await harness.send(world.innovator, [check()], 'system');
      expect((await harness.queued(world.innovator.userId)).length).toBeGreaterThan(0);
    });

    it('sends nothing when no thread has rows behind it', async () => {
      const world = await seedInnovatorWorld(pool(), { credits: 500 });
      await pool().query(`UPDATE intro_opportunities SET status = 'completed' WHERE innovator_id = $1`, [
        world.innovator.userId,
      ]);
      await pool().query(`UPDATE intro_offers SET status = 'declined' WHERE introducee_user_id = $1`, [
        world.innovator.userId,
      ]);
      await harness.send(world.innovator, [check()], 'system');
      expect(await harness.queued(world.innovator.userId)).toEqual([]);
      expect(await logTypes(pool(), world.innovator.userId)).toContain('re_engagement_decision_no_message');
    });
  });

  it('the connection request writer re-checks the balance at commit (the ledger may move after planning)', async () => {
    const world = await seedInnovatorWorld(pool(), { credits: 50 });
    // Planned against 50 credits, committed after 40 of them were spent elsewhere.
    const client = await pool().connect();
    try {
      await client.query('BEGIN');
      await addCredits(pool(), world.innovator.userId, -40, `spend-${world.innovator.userId}`);
      await expect(
        new ActionApplier().apply(client, [
          {
            type: 'create_connection_request',
            userId: world.innovator.userId,
            connectionRequestId: '00000000-0000-4000-8000-000000000001',
            introduceeUserId: world.responder.userId,
            requestorName: null,
            requestorCompany: null,
            introContext: 'test',
            bountyCredits: 20,
          },
        ]),
      ).rejects.toThrow('the bounty exceeds the available credits');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
