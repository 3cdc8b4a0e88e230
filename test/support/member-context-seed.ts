import type { Pool } from 'pg';
import type { SeededUser } from './seed';

/** How many earlier messages a seeded member's conversation holds (more than any agent's window). */
export const SEEDED_HISTORY = 24;

/**
 * A member's Concierge rows as a busy member has them, each kind with rows the Concierge must read
 * and rows it must not (wrong status, answered, another user's side), with distinct timestamps so
 * every read has one right order. `peer` is another member: they made offers and asked questions
 * to this one, so their ids appear here, while `peer`'s own Concierge rows must never.
 * Used by the context tests and by the context-fan-out benchmark.
 */
export async function seedMemberContext(
  pool: Pool,
  member: SeededUser,
  peer: SeededUser,
  options: { innovator?: boolean } = {},
): Promise<void> {
  const m = member.userId;
  const p = peer.userId;
  await pool.query(
    `UPDATE users SET first_name = coalesce(first_name, 'Dana'), last_name = 'Reyes', company = 'Northwind',
       title = 'CFO', expertise = ARRAY['finance', 'payroll'], innovator = $2,
       response_pattern = jsonb_build_object('user_goal', 'hire a VP of sales for ' || id::text)
     WHERE id = $1`,
    [m, options.innovator ?? false],
  );
  if (options.innovator)
    await pool.query(`INSERT INTO innovators (user_id, company_name, warm_intro_bounty) VALUES ($1, 'Ledgerly', 40)`, [
      m,
    ]);

  // Intro opportunities with the member as connector: three read (newest first), one closed.
  const { rows: opportunities } = await pool.query<{ id: string }>(
    `INSERT INTO intro_opportunities (connector_user_id, first_name, last_name, prospect_company, prospect_title,
       innovator_name, bounty_credits, status, presentation_count, created_at)
     SELECT $1, 'Prospect', 'No' || g, 'Company ' || g, 'VP Finance', 'Ledgerly', 50 + g,
            CASE WHEN g = 4 THEN 'completed' WHEN g = 2 THEN 'presented' ELSE 'open' END, g % 2,
            now() - make_interval(hours => g)
     FROM generate_series(1, 4) g ORDER BY g RETURNING id`,
    [m],
  );
  // Priorities: ranks 1..4 plus one presented twice (left out) and one expired (left out).
  await pool.query(
    `INSERT INTO user_priorities (user_id, priority_rank, item_type, item_id, value_score, status, presented_at,
       presentation_count, item_summary, item_primary_name, item_secondary_name, item_context, expires_at, created_at)
     SELECT $1, g, 'intro_opportunity', coalesce(($2::uuid[])[g], gen_random_uuid()), 90 - g,
            CASE WHEN g = 2 THEN 'presented' ELSE 'active' END,
            CASE WHEN g IN (2, 5) THEN now() - make_interval(mins => g) END,
            CASE WHEN g = 5 THEN 2 WHEN g = 2 THEN 1 ELSE 0 END,
            'priority ' || g, 'Prospect No' || g, 'Company ' || g, 'context ' || g,
            CASE WHEN g = 6 THEN now() - interval '1 hour' END,
            now() - make_interval(mins => 10 - g)
     FROM generate_series(1, 6) g`,
    [m, opportunities.slice(0, 3).map((o) => o.id)],
  );
  // Intro offers: one made to the member, one the member made that awaits their confirmation,
  // and one to the member already answered (left out).
  await pool.query(
    `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company, status,
       bounty_credits, created_at)
     VALUES ($2, $1, 'Priya Raman', 'Globex', 'pending_introducee_response', 30, now() - interval '3 hours'),
            ($1, $2, 'Sam Ortiz', 'Initech', 'pending_connector_confirmation', 20, now() - interval '2 hours'),
            ($2, $1, 'Old Offer', 'Hooli', 'accepted', 10, now() - interval '1 hour')`,
    [m, p],
  );
  // Connection requests: two open for the member, one declined (left out).
  await pool.query(
    `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, requestor_company,
       intro_context, bounty_credits, status, presentation_count, created_at)
     VALUES ($1, $2, 'Zoe Kim', 'Initech', 'finance hire advice', 15, 'open', 0, now() - interval '5 hours'),
            ($1, NULL, 'Lee Park', 'Umbrella', 'board intro', 25, 'presented', 1, now() - interval '4 hours'),
            ($1, $2, 'Gone Away', 'Acme', 'old ask', 5, 'declined', 1, now() - interval '3 hours')`,
    [m, p],
  );
  // Community requests from the peer aimed at the member: two open, one the member answered (left out).
  const { rows: requests } = await pool.query<{ id: string }>(
    `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary, category,
       expertise_needed, target_user_ids, status, created_at)
     SELECT 'concierge', $2, 'Question ' || g || '?', 'summary ' || g, 'finance', ARRAY['payroll'], ARRAY[$1::uuid],
            'open', now() - make_interval(hours => g)
     FROM generate_series(1, 3) g ORDER BY g RETURNING id`,
    [m, p],
  );
  await pool.query(`INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, 'Gusto')`, [
    requests[2].id,
    m,
  ]);
  await pool.query(
    `INSERT INTO user_priorities (user_id, priority_rank, item_type, item_id, value_score, status, presented_at,
       presentation_count, item_summary, item_primary_name)
     VALUES ($1, 7, 'community_request', $2, 60, 'presented', now() - interval '30 seconds', 1, 'a question', 'Question 1')`,
    [m, requests[0].id],
  );
  // The action log: two nudges (one before the member's last text), and the Concierge's last turns.
  await pool.query(
    `INSERT INTO agent_actions_log (agent_type, action_type, user_id, output_data, created_at)
     VALUES ('concierge', 're_engagement_message_sent', $1, NULL, now() - interval '10 days'),
            ('concierge', 're_engagement_message_sent', $1, NULL, now() - interval '2 days'),
            ('bouncer', 're_engagement_message_sent', $1, NULL, now() - interval '1 day'),
            ('concierge', 'concierge_turn', $1, '{"scenario": "answer_question"}', now() - interval '3 hours'),
            ('concierge', 'concierge_turn', $1, '{"scenario": "request_clarification"}', now() - interval '2 hours')`,
    [m],
  );
  // History: alternating texts and replies, all handled, the last text 5 days ago.
  await pool.query(
    `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, processing_state, created_at)
     SELECT $1, $2::uuid, CASE WHEN g % 2 = 0 THEN 'user' ELSE 'concierge' END, 'message ' || g || ' of ' || $2::uuid::text,
            CASE WHEN g % 2 = 0 THEN 'inbound' ELSE 'outbound' END, 'delivered',
            CASE WHEN g % 2 = 0 THEN 'done' END, now() - interval '5 days' - make_interval(mins => $3 - g)
     FROM generate_series(1, $3) g`,
    [member.conversationId, m, SEEDED_HISTORY],
  );
}
