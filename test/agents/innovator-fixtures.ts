import type { Pool } from 'pg';
import { seedUser, type SeededUser } from '../support/seed';

export interface InnovatorWorld {
  innovator: SeededUser;
  /** A member who answered the innovator's community request (the one they may ask to meet). */
  responder: SeededUser;
  requestId: string;
  introIds: { accepted: string; open: string; offer: string };
  prospectId: string;
  /** Another innovator with their own prospects and intros, which the first must never see. */
  other: SeededUser;
  otherIntroId: string;
  otherProspectId: string;
}

export async function addCredits(pool: Pool, userId: string, amount: number, key: string): Promise<void> {
  await pool.query(
    `INSERT INTO credit_events (user_id, event_type, amount, idempotency_key, description)
     VALUES ($1, 'test_grant', $2, $3, 'test')`,
    [userId, amount, key],
  );
}

export async function creditTotal(pool: Pool, userId: string): Promise<number> {
  const { rows } = await pool.query<{ total: string }>(
    `SELECT COALESCE(SUM(amount), 0) AS total FROM credit_events WHERE user_id = $1`,
    [userId],
  );
  return Number(rows[0].total);
}

/** An innovator with a profile, credits, prospects, intros and an answered community request. */
export async function seedInnovatorWorld(
  pool: Pool,
  options: { credits?: number; profile?: boolean } = {},
): Promise<InnovatorWorld> {
  const innovator = await seedUser(pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Avery' });
  await pool.query(`UPDATE users SET last_name = 'Quinn', company = 'Ledgerly', innovator = true WHERE id = $1`, [
    innovator.userId,
  ]);
  if (options.profile !== false) {
    await pool.query(
      `INSERT INTO innovators (user_id, company_name, solution_description, target_customer_profile, categories)
       VALUES ($1, 'Ledgerly', 'automated reconciliation for finance teams', 'CFOs at mid-market banks', '{fintech}')`,
      [innovator.userId],
    );
  }
  if (options.credits !== undefined && options.credits !== 0) {
    await addCredits(pool, innovator.userId, options.credits, `grant-${innovator.userId}`);
  }

  const responder = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Dana' });
  await pool.query(
    `UPDATE users SET last_name = 'Whitfield', email = 'dana.whitfield@example.org', linkedin_url = 'https://www.linkedin.com/in/dana-whitfield' WHERE id = $1`,
    [responder.userId],
  );
  const connector = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Morgan' });

  const request = await pool.query<{ id: string }>(
    `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary, status, responses_count)
     VALUES ('innovator', $1, 'Who runs reconciliation at regional banks?', 'bank reconciliation owners', 'responses_received', 1)
     RETURNING id`,
    [innovator.userId],
  );
  await pool.query(
    `INSERT INTO community_responses (request_id, user_id, response_text) VALUES ($1, $2, 'controllers own it at most regional banks')`,
    [request.rows[0].id, responder.userId],
  );

  const prospect = await pool.query<{ id: string }>(
    `INSERT INTO prospects (innovator_id, first_name, last_name, company, title, email, phone_number)
     VALUES ($1, 'Jordan', 'Blake', 'Initech', 'CFO', 'jordan.blake@initech.example', '+15550001111') RETURNING id`,
    [innovator.userId],
  );
  const accepted = await pool.query<{ id: string }>(
    `INSERT INTO intro_opportunities (connector_user_id, innovator_id, prospect_id, first_name, last_name, prospect_company, status, updated_at)
     VALUES ($1, $2, $3, 'Jordan', 'Blake', 'Initech', 'accepted', now() - interval '1 hour') RETURNING id`,
    [connector.userId, innovator.userId, prospect.rows[0].id],
  );
  const open = await pool.query<{ id: string }>(
    `INSERT INTO intro_opportunities (connector_user_id, innovator_id, first_name, last_name, prospect_company, status, updated_at)
     VALUES ($1, $2, 'Riley', 'Stone', 'Umbrella Bank', 'open', now() - interval '2 hours') RETURNING id`,
    [connector.userId, innovator.userId],
  );
  const offer = await pool.query<{ id: string }>(
    `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company, status, updated_at)
     VALUES ($1, $2, 'Casey Moore', 'Globex Credit Union', 'pending_introducee_response', now() - interval '3 hours') RETURNING id`,
    [connector.userId, innovator.userId],
  );

  const other = await seedUser(pool, { verified: true, poc_agent_type: 'innovator', first_name: 'Blair' });
  const otherProspect = await pool.query<{ id: string }>(
    `INSERT INTO prospects (innovator_id, first_name, last_name, company) VALUES ($1, 'Quentin', 'Hollis', 'Hooli') RETURNING id`,
    [other.userId],
  );
  const otherIntro = await pool.query<{ id: string }>(
    `INSERT INTO intro_opportunities (connector_user_id, innovator_id, prospect_id, first_name, last_name, prospect_company, status)
     VALUES ($1, $2, $3, 'Quentin', 'Hollis', 'Hooli', 'accepted') RETURNING id`,
    [connector.userId, other.userId, otherProspect.rows[0].id],
  );

  return {
    innovator,
    responder,
    requestId: request.rows[0].id,
    introIds: { accepted: accepted.rows[0].id, open: open.rows[0].id, offer: offer.rows[0].id },
    prospectId: prospect.rows[0].id,
    other,
    otherIntroId: otherIntro.rows[0].id,
    otherProspectId: otherProspect.rows[0].id,
  };
}

export async function eventsOf(
  pool: Pool,
  type: string,
): Promise<
  Array<{ aggregate_id: string; aggregate_type: string; payload: Record<string, unknown>; created_by: string }>
> {
  const { rows } = await pool.query(
    `SELECT aggregate_id, aggregate_type, payload, created_by FROM events WHERE event_type = $1 ORDER BY created_at`,
    [type],
  );
  return rows;
}
