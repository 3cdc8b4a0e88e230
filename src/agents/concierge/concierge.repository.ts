import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { IntroKind } from '../effects/intros.effects';
import type {
  CommunityRequestView,
  ConciergePriority,
  ConnectionRequestView,
  IntroOfferView,
  IntroOpportunityView,
  NudgeHistory,
  OwnIntroView,
} from './concierge.context';

const NUDGE_WINDOW_DAYS = 90;
const MAX_OWN_INTROS = 10;

/** The Concierge's reads: only rows of this member, bounded. It never writes. */
@Injectable()
export class ConciergeRepository {
  constructor(private readonly database: DatabaseService) {}

  async findGoal(userId: string): Promise<string | null> {
    const [row] = await this.database.query<{ goal: unknown }>(
      `SELECT response_pattern->'user_goal' AS goal FROM users WHERE id = $1`,
      [userId],
    );
    return typeof row?.goal === 'string' ? row.goal : null;
  }

  async findPriorities(userId: string): Promise<ConciergePriority[]> {
    const rows = await this.database.query<{
      id: string;
      priority_rank: number;
      item_type: string;
      item_id: string;
      value_score: number | null;
      status: string;
      presentation_count: number;
      presented_at: Date | null;
      item_summary: string | null;
      item_primary_name: string | null;
      item_secondary_name: string | null;
      item_context: string | null;
    }>(
      `SELECT id, priority_rank, item_type, item_id, value_score, status, presentation_count, presented_at,
              item_summary, item_primary_name, item_secondary_name, item_context
       FROM user_priorities
       WHERE user_id = $1 AND status IN ('active', 'presented', 'clarifying') AND presentation_count <= 1
         AND (expires_at IS NULL OR expires_at > now())
       ORDER BY priority_rank, created_at
       LIMIT 10`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      rank: r.priority_rank,
      itemType: r.item_type,
      itemId: r.item_id,
      valueScore: r.value_score,
      status: r.status,
      presentationCount: r.presentation_count,
      presentedAt: r.presented_at,
      summary: r.item_summary,
      primaryName: r.item_primary_name,
      secondaryName: r.item_secondary_name,
      itemContext: r.item_context,
    }));
  }

  async findIntroOpportunities(userId: string): Promise<IntroOpportunityView[]> {
    const rows = await this.database.query<{
      id: string;
      first_name: string;
      last_name: string;
      prospect_company: string | null;
      prospect_title: string | null;
      innovator_id: string | null;
      innovator_name: string | null;
      bounty_credits: number;
      status: string;
      presentation_count: number;
    }>(
      `SELECT id, first_name, last_name, prospect_company, prospect_title, innovator_id, innovator_name,
              bounty_credits, status, presentation_count
       FROM intro_opportunities
       WHERE connector_user_id = $1 AND status IN ('open', 'presented')
       ORDER BY created_at DESC LIMIT 10`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      prospectName: `${r.first_name} ${r.last_name}`.trim(),
      prospectCompany: r.prospect_company,
      prospectTitle: r.prospect_title,
      innovatorId: r.innovator_id,
      innovatorName: r.innovator_name,
      bountyCredits: r.bounty_credits,
      status: r.status,
      presentationCount: r.presentation_count,
    }));
  }

  async findIntroOffers(userId: string): Promise<IntroOfferView[]> {
    const rows = await this.database.query<{
      id: string;
      offering_user_id: string | null;
      introducee_user_id: string | null;
      prospect_name: string | null;
      prospect_company: string | null;
      status: string;
      bounty_credits: number;
    }>(
      `SELECT id, offering_user_id, introducee_user_id, prospect_name, prospect_company, status, bounty_credits
       FROM intro_offers
       WHERE (introducee_user_id = $1 AND status = 'pending_introducee_response')
          OR (offering_user_id = $1 AND status = 'pending_connector_confirmation')
       ORDER BY created_at DESC LIMIT 10`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      role: r.introducee_user_id === userId && r.status === 'pending_introducee_response' ? 'introducee' : 'offerer',
      offeringUserId: r.offering_user_id,
      introduceeUserId: r.introducee_user_id,
      prospectName: r.prospect_name ?? 'someone',
      prospectCompany: r.prospect_company,
      status: r.status,
      bountyCredits: r.bounty_credits,
    }));
  }

  async findConnectionRequests(userId: string): Promise<ConnectionRequestView[]> {
    const rows = await this.database.query<{
      id: string;
      requestor_user_id: string | null;
      requestor_name: string | null;
      requestor_company: string | null;
      intro_context: string | null;
      bounty_credits: number;
      status: string;
      presentation_count: number;
    }>(
      `SELECT id, requestor_user_id, requestor_name, requestor_company, intro_context, bounty_credits, status,
              presentation_count
       FROM connection_requests
       WHERE introducee_user_id = $1 AND status IN ('open', 'presented')
       ORDER BY created_at DESC LIMIT 10`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      requestorUserId: r.requestor_user_id,
      requestorName: r.requestor_name,
      requestorCompany: r.requestor_company,
      introContext: r.intro_context,
      bountyCredits: r.bounty_credits,
      status: r.status,
      presentationCount: r.presentation_count,
    }));
  }

  /**
   * Intros the member is a party to that do not wait on their own answer (those are the items
   * above, answered with their own tools), latest change first. "Party" is the same rule as the
   * `user.intro_inquiry` handler's: connector or innovator of an opportunity, introducee or
   * requestor of a connection request, offerer or introducee of an offer.
   */
  async findOwnIntros(userId: string): Promise<OwnIntroView[]> {
    const rows = await this.database.query<{
      intro_type: IntroKind;
      id: string;
      status: string;
      person_name: string | null;
      company: string | null;
    }>(
      `SELECT intro_type, id, status, person_name, company FROM (
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
       LIMIT $2`,
      [userId, MAX_OWN_INTROS],
    );
    return rows.map((r) => ({
      introType: r.intro_type,
      id: r.id,
      status: r.status,
      personName: r.person_name,
      company: r.company,
    }));
  }

  /** Open requests aimed at the member that they have not answered (up to 5). */
  async findOpenRequests(userId: string): Promise<CommunityRequestView[]> {
    const rows = await this.database.query<{
      id: string;
      requesting_user_id: string | null;
      question: string;
      request_summary: string | null;
      category: string | null;
      expertise_needed: string[] | null;
    }>(
      `SELECT r.id, r.requesting_user_id, r.question, r.request_summary, r.category, r.expertise_needed
       FROM community_requests r
       WHERE r.status = 'open' AND $1 = ANY(r.target_user_ids)
         AND (r.expires_at IS NULL OR r.expires_at > now())
         AND r.requesting_user_id IS DISTINCT FROM $1
         AND NOT EXISTS (SELECT 1 FROM community_responses c WHERE c.request_id = r.id AND c.user_id = $1)
       ORDER BY r.created_at DESC LIMIT 5`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      requestingUserId: r.requesting_user_id,
      question: r.question,
      summary: r.request_summary,
      category: r.category,
      expertiseNeeded: r.expertise_needed ?? [],
    }));
  }

  async findWarmIntroBounty(userId: string): Promise<number | null> {
    const [row] = await this.database.query<{ warm_intro_bounty: number }>(
      `SELECT i.warm_intro_bounty FROM innovators i JOIN users u ON u.id = i.user_id
       WHERE i.user_id = $1 AND (u.innovator OR u.poc_agent_type = 'innovator')`,
      [userId],
    );
    return row ? row.warm_intro_bounty : null;
  }

  /**
   * Throttling: the last nudge, and nudges since the member last wrote, within 90 days. Proactive
   * texts of any member agent count (an Innovator nudge too): the member gets one stream of them.
   */
  async findNudgeHistory(userId: string, now: Date): Promise<NudgeHistory> {
    const [row] = await this.database.query<{ last_nudge_at: Date | null; unanswered: string }>(
      `WITH last_text AS (
         SELECT max(created_at) AS at FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user'
       )
       SELECT max(l.created_at) AS last_nudge_at,
              count(*) FILTER (WHERE l.created_at > coalesce((SELECT at FROM last_text), '-infinity'::timestamptz))
                AS unanswered
       FROM agent_actions_log l
       WHERE l.user_id = $1 AND l.agent_type <> 'bouncer' AND l.action_type = 're_engagement_message_sent'
         AND l.created_at > $2::timestamptz - make_interval(days => $3)`,
      [userId, now, NUDGE_WINDOW_DAYS],
    );
    return { lastNudgeAt: row?.last_nudge_at ?? null, unansweredNudges: Number(row?.unanswered ?? 0) };
  }

  /** The scenario of the Concierge's last answer to this member (its `concierge_turn` log row). */
  async findLastTurnScenario(userId: string): Promise<string | null> {
    const [row] = await this.database.query<{ scenario: string | null }>(
      `SELECT output_data ->> 'scenario' AS scenario FROM agent_actions_log
       WHERE user_id = $1 AND action_type = 'concierge_turn'
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [userId],
    );
    return row?.scenario ?? null;
  }
}
