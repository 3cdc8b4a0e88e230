import type { Queryable } from '../database/database.service';

/** The demo innovator's phone unless another is given; `npm run chat -- --phone` talks as them. */
export const DEMO_INNOVATOR_PHONE = '+15550100200';

export interface InnovatorDemoSeed {
  innovatorId: string;
  conversationId: string;
  phone: string;
  /** Sam, who answered Avery's community question: the member Avery may ask to meet. */
  responderId: string;
  introOpportunityIds: string[];
  introOfferId: string;
}

/**
 * A verified innovator, Avery Quinn of Ledgerly, with a profile, 120 credits in the ledger, three
 * uploaded prospects, two intro opportunities in flight (one accepted by its connector), an intro
 * another member offered, and a community question Sam answered. Idempotent: the demo people are
 * recreated from scratch. Runs in the caller's transaction.
 */
export async function seedInnovatorDemo(db: Queryable, phone = DEMO_INNOVATOR_PHONE): Promise<InnovatorDemoSeed> {
  const phones = [phone, sibling(phone, 1), sibling(phone, 2)];
  const existing = await db.query<{ id: string }>(`SELECT id FROM users WHERE phone_number = ANY($1::text[])`, [
    phones,
  ]);
  const ids = existing.rows.map((row) => row.id);
  // Opportunities reference prospects (RESTRICT): remove them before the people who own both.
  await db.query(
    `DELETE FROM intro_opportunities WHERE innovator_id = ANY($1::uuid[]) OR connector_user_id = ANY($1::uuid[])`,
    [ids],
  );
  await db.query(`DELETE FROM connection_requests WHERE requestor_user_id = ANY($1::uuid[])`, [ids]);
  await db.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [ids]);

  const innovatorId = await person(db, phones[0], 'Avery', 'Quinn', 'Ledgerly', 'CEO', 'innovator');
  const connectorId = await person(db, phones[1], 'Morgan', 'Lee', 'Fabrikam', 'CFO', 'concierge');
  const responderId = await person(db, phones[2], 'Sam', 'Okafor', 'Tailspin Bank', 'Controller', 'concierge');

  await db.query(
    `INSERT INTO innovators (user_id, company_name, solution_description, categories, target_customer_profile)
     VALUES ($1, 'Ledgerly', 'automated bank reconciliation for finance teams', '{fintech}',
       'controllers and CFOs at mid-market banks')`,
    [innovatorId],
  );
  await db.query(
    `INSERT INTO credit_events (user_id, event_type, amount, reference_type, idempotency_key, description)
     VALUES ($1, 'demo_grant', 120, 'demo', $2, 'demo credits')`,
    [innovatorId, `demo_grant_${innovatorId}`],
  );
  const prospectIds: string[] = [];
  for (const [first, last, company, title] of [
    ['Jordan', 'Blake', 'Initech', 'CFO'],
    ['Riley', 'Stone', 'Umbrella Bank', 'Controller'],
    ['Harper', 'Diaz', 'Woodgrove Bank', 'VP Finance'],
  ]) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO prospects (innovator_id, first_name, last_name, company, title) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [innovatorId, first, last, company, title],
    );
    prospectIds.push(rows[0].id);
  }
  const introOpportunityIds: string[] = [];
  for (const [index, status] of ['accepted', 'open'].entries()) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO intro_opportunities (connector_user_id, innovator_id, prospect_id, first_name, last_name,
         prospect_company, prospect_title, innovator_name, bounty_credits, status)
       SELECT $1, $2, p.id, p.first_name, p.last_name, p.company, p.title, 'Avery Quinn', 50, $4
       FROM prospects p WHERE p.id = $3 RETURNING id`,
      [connectorId, innovatorId, prospectIds[index], status],
    );
    introOpportunityIds.push(rows[0].id);
  }
  const [offer] = (
    await db.query<{ id: string }>(
      `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company, prospect_title, status)
       VALUES ($1, $2, 'Casey Moore', 'Globex Credit Union', 'CFO', 'pending_introducee_response') RETURNING id`,
      [connectorId, innovatorId],
    )
  ).rows;
  const [request] = (
    await db.query<{ id: string }>(
      `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary, status,
         responses_count)
       VALUES ('innovator', $1, 'Who owns reconciliation tooling at regional banks?', 'reconciliation owners',
         'responses_received', 1) RETURNING id`,
      [innovatorId],
    )
  ).rows;
  await db.query(
    `INSERT INTO community_responses (request_id, user_id, response_text)
     VALUES ($1, $2, 'the controller owns it, with IT signing off')`,
    [request.id, responderId],
  );
  const [conversation] = (
    await db.query<{ id: string }>(
      `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
      [innovatorId, phone],
    )
  ).rows;
  return {
    innovatorId,
    conversationId: conversation.id,
    phone,
    responderId,
    introOpportunityIds,
    introOfferId: offer.id,
  };
}

async function person(
  db: Queryable,
  phone: string,
  first: string,
  last: string,
  company: string,
  title: string,
  agent: 'innovator' | 'concierge',
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (phone_number, first_name, last_name, company, title, verified, email_verified, poc_agent_type,
       innovator)
     VALUES ($1, $2, $3, $4, $5, true, true, $6, $6 = 'innovator') RETURNING id`,
    [phone, first, last, company, title, agent],
  );
  return rows[0].id;
}

/** The demo's other members get neighbouring numbers. */
function sibling(phone: string, offset: number): string {
  const digits = phone.slice(1);
  const last = (Number(digits.slice(-3)) + offset) % 1000;
  return `+${digits.slice(0, -3)}${String(last).padStart(3, '0')}`;
}
