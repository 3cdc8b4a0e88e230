import type { Pool } from 'pg';
import { seedUser, type SeededUser } from '../support/seed';

/** Rows a Concierge test member may have, inserted the way the Account Manager and workflows write them. */
export async function seedMember(pool: Pool, firstName = 'Dana'): Promise<SeededUser> {
  const member = await seedUser(pool, { verified: true, poc_agent_type: 'concierge', first_name: firstName });
  await pool.query(`UPDATE users SET last_name = 'Reyes', company = 'Northwind', title = 'CFO' WHERE id = $1`, [
    member.userId,
  ]);
  return member;
}

export async function addIntroOpportunity(
  pool: Pool,
  connector: SeededUser,
  prospect: { first: string; last: string; company: string },
  options: { priority?: { value: number; status?: string; presentedDaysAgo?: number; count?: number } } = {},
): Promise<{ id: string; priorityId: string | null }> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO intro_opportunities (connector_user_id, first_name, last_name, prospect_company, bounty_credits, status)
     VALUES ($1, $2, $3, $4, 50, 'open') RETURNING id`,
    [connector.userId, prospect.first, prospect.last, prospect.company],
  );
  const id = rows[0].id;
  const priorityId = options.priority
    ? await addPriority(pool, connector, 'intro_opportunity', id, {
        ...options.priority,
        summary: `an intro to ${prospect.first} ${prospect.last} at ${prospect.company}`,
        name: `${prospect.first} ${prospect.last}`,
      })
    : null;
  return { id, priorityId };
}

export async function addPriority(
  pool: Pool,
  member: SeededUser,
  itemType: string,
  itemId: string,
  p: { value: number; status?: string; presentedDaysAgo?: number; count?: number; summary: string; name: string },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO user_priorities (user_id, priority_rank, item_type, item_id, value_score, status, presented_at,
       presentation_count, item_summary, item_primary_name)
     VALUES ($1, (SELECT count(*) + 1 FROM user_priorities WHERE user_id = $1), $2, $3, $4, $5,
       CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(days => $6::int) END, $7, $8, $9)
     RETURNING id`,
    [
      member.userId,
      itemType,
      itemId,
      p.value,
      p.status ?? 'active',
      p.presentedDaysAgo ?? null,
      p.count ?? 0,
      p.summary,
      p.name,
    ],
  );
  return rows[0].id;
}

export async function addOfferTo(
  pool: Pool,
  introducee: SeededUser,
  offerer: SeededUser,
  prospectName: string,
  status = 'pending_introducee_response',
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO intro_offers (offering_user_id, introducee_user_id, prospect_name, prospect_company, status)
     VALUES ($1, $2, $3, 'Globex', $4) RETURNING id`,
    [offerer.userId, introducee.userId, prospectName, status],
  );
  return rows[0].id;
}

export async function addConnectionRequest(
  pool: Pool,
  introducee: SeededUser,
  requestorName: string,
  requestor: SeededUser | null = null,
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, requestor_company,
       intro_context, status)
     VALUES ($1, $2, $3, 'Initech', 'wants advice on a finance hire', 'open') RETURNING id`,
    [introducee.userId, requestor?.userId ?? null, requestorName],
  );
  return rows[0].id;
}

/** An open community request from `requester`, aimed at `target`, presented to them as their pending question. */
export async function addCommunityRequest(
  pool: Pool,
  requester: SeededUser,
  target: SeededUser,
  question = 'Which payroll provider would you pick for a 50-person startup?',
  options: { pending?: boolean } = { pending: true },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO community_requests (requesting_agent_type, requesting_user_id, question, request_summary,
       target_user_ids, status)
     VALUES ('concierge', $1, $2, 'payroll provider pick', ARRAY[$3::uuid], 'open') RETURNING id`,
    [requester.userId, question, target.userId],
  );
  const id = rows[0].id;
  if (options.pending) {
    await addPriority(pool, target, 'community_request', id, {
      value: 60,
      status: 'presented',
      presentedDaysAgo: 0,
      count: 1,
      summary: 'a question about payroll providers',
      name: 'payroll provider pick',
    });
  }
  return id;
}

/** The Concierge's last text, as if sent: it sets the conversation's focus. */
export async function addOutbound(pool: Pool, member: SeededUser, content: string): Promise<void> {
  await pool.query(
    `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, created_at)
     VALUES ($1, $2, 'concierge', $3, 'outbound', 'sent', clock_timestamp() - interval '1 second')`,
    [member.conversationId, member.userId, content],
  );
}

export async function eventsOf(pool: Pool, eventType: string, aggregateId: string) {
  const { rows } = await pool.query<{ payload: Record<string, unknown>; aggregate_type: string; created_by: string }>(
    `SELECT payload, aggregate_type, created_by FROM events WHERE event_type = $1 AND aggregate_id = $2`,
    [eventType, aggregateId],
  );
  return rows;
}
