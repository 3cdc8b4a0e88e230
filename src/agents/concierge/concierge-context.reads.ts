import type {
  CommunityRequestView,
  ConciergePriority,
  ConnectionRequestView,
  IntroOfferView,
  IntroOpportunityView,
  NudgeHistory,
  OwnIntroView,
} from './concierge.context';
import type { IntroKind } from '../effects/intros.effects';
import { oneStatement, toDate, type ReadSet } from '../context/read-set';

export const NUDGE_WINDOW_DAYS = 90;
const MAX_OWN_INTROS = 10;

/** What the Concierge reads per turn besides the TurnContext: only rows of this member, bounded. */
export interface ConciergeReads {
  goal: string | null;
  priorities: ConciergePriority[];
  introOpportunities: IntroOpportunityView[];
  introOffers: IntroOfferView[];
  connectionRequests: ConnectionRequestView[];
  ownIntros: OwnIntroView[];
  openRequests: CommunityRequestView[];
  warmIntroBounty: number | null;
  nudges: NudgeHistory;
  lastTurnScenario: string | null;
}

/**
 * The Concierge's reads. Every read's parameters are the first `arity` of ($1 user id, $2 now, $3
 * nudge window in days), so each can run alone or as a subquery of the one statement.
 */
export const CONCIERGE_READS: ReadSet<ConciergeReads> = {
  goal: {
    arity: 1,
    sql: `SELECT response_pattern->'user_goal' AS goal FROM users WHERE id = $1`,
    map: ([row]) => (typeof row?.goal === 'string' ? row.goal : null),
  },
  priorities: {
    arity: 1,
    sql: `SELECT id, priority_rank, item_type, item_id, value_score, status, presentation_count, presented_at,
                 item_summary, item_primary_name, item_secondary_name, item_context, created_at
          FROM user_priorities
          WHERE user_id = $1 AND status IN ('active', 'presented', 'clarifying') AND presentation_count <= 1
            AND (expires_at IS NULL OR expires_at > now())
          ORDER BY priority_rank, created_at, id
          LIMIT 10`,
    order: 'priority_rank, created_at, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        rank: r.priority_rank as number,
        itemType: r.item_type as string,
        itemId: r.item_id as string,
        valueScore: r.value_score as number | null,
        status: r.status as string,
        presentationCount: r.presentation_count as number,
        presentedAt: toDate(r.presented_at),
        summary: r.item_summary as string | null,
        primaryName: r.item_primary_name as string | null,
        secondaryName: r.item_secondary_name as string | null,
        itemContext: r.item_context as string | null,
      })),
  },
  introOpportunities: {
    arity: 1,
    sql: `SELECT id, first_name, last_name, prospect_company, prospect_title, innovator_id, innovator_name,
                 bounty_credits, status, presentation_count, created_at
          FROM intro_opportunities
          WHERE connector_user_id = $1 AND status IN ('open', 'presented')
          ORDER BY created_at DESC, id LIMIT 10`,
    order: 'created_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        prospectName: `${r.first_name as string} ${r.last_name as string}`.trim(),
        prospectCompany: r.prospect_company as string | null,
        prospectTitle: r.prospect_title as string | null,
        innovatorId: r.innovator_id as string | null,
        innovatorName: r.innovator_name as string | null,
        bountyCredits: r.bounty_credits as number,
        status: r.status as string,
        presentationCount: r.presentation_count as number,
      })),
  },
  introOffers: {
    arity: 1,
    sql: `SELECT id, offering_user_id, introducee_user_id, prospect_name, prospect_company, status, bounty_credits,
                 created_at
          FROM intro_offers
          WHERE (introducee_user_id = $1 AND status = 'pending_introducee_response')
             OR (offering_user_id = $1 AND status = 'pending_connector_confirmation')
          ORDER BY created_at DESC, id LIMIT 10`,
    order: 'created_at DESC, id',
    map: (rows, userId) =>
      rows.map((r) => ({
        id: r.id as string,
        role: r.introducee_user_id === userId && r.status === 'pending_introducee_response' ? 'introducee' : 'offerer',
        offeringUserId: r.offering_user_id as string | null,
        introduceeUserId: r.introducee_user_id as string | null,
        prospectName: (r.prospect_name as string | null) ?? 'someone',
        prospectCompany: r.prospect_company as string | null,
        status: r.status as string,
        bountyCredits: r.bounty_credits as number,
      })),
  },
  connectionRequests: {
    arity: 1,
    sql: `SELECT id, requestor_user_id, requestor_name, requestor_company, intro_context, bounty_credits, status,
                 presentation_count, created_at
          FROM connection_requests
          WHERE introducee_user_id = $1 AND status IN ('open', 'presented')
          ORDER BY created_at DESC, id LIMIT 10`,
    order: 'created_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        requestorUserId: r.requestor_user_id as string | null,
        requestorName: r.requestor_name as string | null,
        requestorCompany: r.requestor_company as string | null,
        introContext: r.intro_context as string | null,
        bountyCredits: r.bounty_credits as number,
        status: r.status as string,
        presentationCount: r.presentation_count as number,
      })),
  },
  /**
   * Intros the member is a party to that do not wait on their own answer (those are the items
   * above, answered with their own tools), latest change first. "Party" is the same rule as the
   * `user.intro_inquiry` handler's: connector or innovator of an opportunity, introducee or
   * requestor of a connection request, offerer or introducee of an offer.
   */
  ownIntros: {
    arity: 1,
    sql: `SELECT intro_type, id, status, person_name, company, updated_at FROM (
            SELECT 'intro_opportunity' AS intro_type, o.id, o.status,
                   NULLIF(trim(concat_ws(' ', o.first_name, o.last_name)), '') AS person_name,
                   o.prospect_company AS company, o.updated_at
            FROM intro_opportunities o
            WHERE o.innovator_id = $1 OR (o.connector_user_id = $1 AND o.status NOT IN ('open', 'presented'))
            UNION ALL
            SELECT 'connection_request', r.id, r.status,
                   CASE WHEN r.requestor_user_id = $1
                        THEN NULLIF(trim(concat_ws(' ', u.first_name, u.last_name)), '') ELSE r.requestor_name END,
                   CASE WHEN r.requestor_user_id = $1 THEN u.company ELSE r.requestor_company END, r.updated_at
            FROM connection_requests r LEFT JOIN users u ON u.id = r.introducee_user_id
            WHERE r.requestor_user_id = $1 OR (r.introducee_user_id = $1 AND r.status NOT IN ('open', 'presented'))
            UNION ALL
            SELECT 'intro_offer', f.id, f.status, f.prospect_name, f.prospect_company, f.updated_at
            FROM intro_offers f
            WHERE (f.offering_user_id = $1 AND f.status <> 'pending_connector_confirmation')
               OR (f.introducee_user_id = $1 AND f.status <> 'pending_introducee_response')
          ) intros
          ORDER BY updated_at DESC, id
          LIMIT ${MAX_OWN_INTROS}`,
    order: 'updated_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        introType: r.intro_type as IntroKind,
        id: r.id as string,
        status: r.status as string,
        personName: r.person_name as string | null,
        company: r.company as string | null,
      })),
  },
  /** Open requests aimed at the member that they have not answered (up to 5). */
  openRequests: {
    arity: 1,
    sql: `SELECT r.id, r.requesting_user_id, r.question, r.request_summary, r.category, r.expertise_needed,
                 r.created_at
          FROM community_requests r
          WHERE r.status = 'open' AND $1 = ANY(r.target_user_ids)
            AND (r.expires_at IS NULL OR r.expires_at > now())
            AND r.requesting_user_id IS DISTINCT FROM $1
            AND NOT EXISTS (SELECT 1 FROM community_responses c WHERE c.request_id = r.id AND c.user_id = $1)
          ORDER BY r.created_at DESC, r.id LIMIT 5`,
    order: 'created_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        requestingUserId: r.requesting_user_id as string | null,
        question: r.question as string,
        summary: r.request_summary as string | null,
        category: r.category as string | null,
        expertiseNeeded: (r.expertise_needed as string[] | null) ?? [],
      })),
  },
  /** `innovators.warm_intro_bounty` when the member is an innovator. */
  warmIntroBounty: {
    arity: 1,
    sql: `SELECT i.warm_intro_bounty FROM innovators i JOIN users u ON u.id = i.user_id
          WHERE i.user_id = $1 AND (u.innovator OR u.poc_agent_type = 'innovator')`,
    map: ([row]) => (row ? (row.warm_intro_bounty as number) : null),
  },
  /**
   * Throttling: the last nudge, and nudges since the member last wrote, within 90 days. Proactive
   * texts of any member agent count (an Innovator nudge too): the member gets one stream of them.
   */
  nudges: {
    arity: 3,
    sql: `WITH last_text AS (
            SELECT max(created_at) AS at FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user'
          )
          SELECT max(l.created_at) AS last_nudge_at,
                 count(*) FILTER (WHERE l.created_at > coalesce((SELECT at FROM last_text), '-infinity'::timestamptz))
                   AS unanswered
          FROM agent_actions_log l
          WHERE l.user_id = $1 AND l.agent_type <> 'bouncer' AND l.action_type = 're_engagement_message_sent'
            AND l.created_at > $2::timestamptz - make_interval(days => $3)`,
    map: ([row]) => ({ lastNudgeAt: toDate(row?.last_nudge_at), unansweredNudges: Number(row?.unanswered ?? 0) }),
  },
  /** The scenario of the Concierge's last answer to this member (its `concierge_turn` log row). */
  lastTurnScenario: {
    arity: 1,
    sql: `SELECT output_data ->> 'scenario' AS scenario FROM agent_actions_log
          WHERE user_id = $1 AND action_type = 'concierge_turn'
          ORDER BY created_at DESC, id DESC LIMIT 1`,
    map: ([row]) => (row?.scenario as string | null | undefined) ?? null,
  },
};

/** All ten reads as one statement (see `oneStatement`). */
export const CONCIERGE_READS_IN_ONE_STATEMENT = oneStatement(CONCIERGE_READS);

export const conciergeReadParams = (userId: string, now: Date): unknown[] => [userId, now, NUDGE_WINDOW_DAYS];
