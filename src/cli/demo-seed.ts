import type { Queryable } from '../database/database.service';

/** The demo member's phone unless another is given; `npm run chat -- --phone` talks as them. */
export const DEMO_PHONE = '+15550100100';

export interface DemoSeed {
  memberId: string;
  conversationId: string;
  phone: string;
  introOpportunityId: string;
  introOfferId: string;
  connectionRequestId: string;
  communityRequestId: string;
}

interface Person {
  phone: string;
  first: string;
  last: string;
  company: string;
  title: string;
}

/**
 * A verified Concierge member with something of everything the Concierge handles: a pending
 * community question from another member, a system-proposed intro (high value, never presented,
 * so it is mentioned proactively), an intro another member offered, and someone asking to meet
 * them. Idempotent: the demo people are recreated from scratch. Runs in the caller's transaction.
 */
export async function seedDemo(db: Queryable, phone = DEMO_PHONE): Promise<DemoSeed> {
  const requesterPhone = sibling(phone, 1);
  const offererPhone = sibling(phone, 2);
  await db.query(`DELETE FROM users WHERE phone_number = ANY($1::text[])`, [[phone, requesterPhone, offererPhone]]);

  const memberId = await person(db, { phone, first: 'Dana', last: 'Reyes', company: 'Northwind', title: 'CFO' });
  const requesterId = await person(db, {
    phone: requesterPhone,
    first: 'Ben',
    last: 'Ortiz',
    company: 'Fabrikam',
    title: 'COO',
  });
  const offererId = await person(db, {
    phone: offererPhone,
    first: 'Lee',
    last: 'Park',
    company: 'Contoso',
    title: 'CEO',
  });

  const [request] = (
    await db.query<{ id: string }>(
      `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary, category,
         target_user_ids, status)
       VALUES ('concierge', $1, 'Which payroll provider would you pick for a 50-person startup?', 'payroll provider pick',
         'finance', ARRAY[$2::uuid], 'open') RETURNING id`,
      [requesterId, memberId],
    )
  ).rows;
  const [opportunity] = (
    await db.query<{ id: string }>(
      `INSERT INTO intro_opportunities (connector_user_id, first_name, last_name, prospect_company, prospect_title,
         bounty_credits, status)
       VALUES ($1, 'Maya', 'Patel', 'Acme', 'VP Finance', 50, 'open') RETURNING id`,
      [memberId],
    )
  ).rows;
  const [offer] = (
    await db.query<{ id: string }>(
      `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company, prospect_title,
         status)
       VALUES ($1, $2, 'Priya Raman', 'Globex', 'Head of Treasury', 'pending_introducee_response') RETURNING id`,
      [offererId, memberId],
    )
  ).rows;
  const [connection] = (
    await db.query<{ id: string }>(
      `INSERT INTO connection_requests (introducee_user_id, requestor_name, requestor_company, requestor_title,
         intro_context, status)
       VALUES ($1, 'Zoe Kim', 'Initech', 'Founder', 'wants advice on hiring a first finance lead', 'open') RETURNING id`,
      [memberId],
    )
  ).rows;

  // The Account Manager's view of what matters to Dana, with the denormalized item fields.
  const priorities: Array<[string, string, number, string, string, string | null]> = [
    [
      'community_request',
      request.id,
      60,
      'presented',
      'a question from a member about payroll providers',
      'payroll provider pick',
    ],
    ['intro_opportunity', opportunity.id, 85, 'active', 'an intro to Maya Patel, VP Finance at Acme', 'Maya Patel'],
    ['intro_offer', offer.id, 75, 'active', 'an offered intro to Priya Raman at Globex', 'Priya Raman'],
    ['connection_request', connection.id, 65, 'active', 'Zoe Kim at Initech would like to meet you', 'Zoe Kim'],
  ];
  for (const [rank, [itemType, itemId, value, status, summary, name]] of priorities.entries()) {
    await db.query(
      `INSERT INTO user_priorities (user_id, priority_rank, item_type, item_id, value_score, status, presented_at,
         presentation_count, item_summary, item_primary_name)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'presented' THEN now() ELSE NULL END,
         CASE WHEN $6 = 'presented' THEN 1 ELSE 0 END, $7, $8)`,
      [memberId, rank + 1, itemType, itemId, value, status, summary, name],
    );
  }
  // The question was put to Dana in the Concierge's last text, so a plain answer records it.
  const [conversation] = (
    await db.query<{ id: string }>(
      `INSERT INTO conversations (user_id, phone_number, status) VALUES ($1, $2, 'active') RETURNING id`,
      [memberId, phone],
    )
  ).rows;
  await db.query(
    `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
     VALUES ($1, $2, 'concierge', 'A member asks: which payroll provider would you pick for a 50-person startup?',
       'outbound', 'sent')`,
    [conversation.id, memberId],
  );
  return {
    memberId,
    conversationId: conversation.id,
    phone,
    introOpportunityId: opportunity.id,
    introOfferId: offer.id,
    connectionRequestId: connection.id,
    communityRequestId: request.id,
  };
}

async function person(db: Queryable, p: Person): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (phone_number, first_name, last_name, company, title, verified, email_verified, poc_agent_type)
     VALUES ($1, $2, $3, $4, $5, true, true, 'concierge') RETURNING id`,
    [p.phone, p.first, p.last, p.company, p.title],
  );
  return rows[0].id;
}

/** The demo's other members get neighbouring numbers. */
function sibling(phone: string, offset: number): string {
  const digits = phone.slice(1);
  const last = (Number(digits.slice(-3)) + offset) % 1000;
  return `+${digits.slice(0, -3)}${String(last).padStart(3, '0')}`;
}
