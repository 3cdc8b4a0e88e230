import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { AVAILABLE_CREDITS_SQL } from '../effects/innovator.effects';
import type {
  InnovatorIntro,
  InnovatorProfile,
  OwnCommunityRequest,
  ProspectSummary,
  ReengagementHistory,
} from './innovator.context';

/** How many of each the context holds (up to 10 intros; requests and priorities as the Concierge). */
export const MAX_INTROS = 10;
export const MAX_OWN_REQUESTS = 5;
const MAX_PROSPECT_NAMES = 5;

/**
 * The Innovator's reads. Every query is scoped to the user's own rows (innovator_id, requestor,
 * introducee or requester = the user); other members appear by first name only, never with a
 * phone number, email or LinkedIn. It never writes (the engine commits the outcome).
 */
@Injectable()
export class InnovatorRepository {
  constructor(private readonly database: DatabaseService) {}

  async findProfile(userId: string): Promise<InnovatorProfile | null> {
    const [row] = await this.database.query<{
      id: string;
      company_name: string | null;
      solution_description: string | null;
      categories: string[] | null;
      target_customer_profile: string | null;
      warm_intro_bounty: number;
    }>(
      `SELECT id, company_name, solution_description, categories, target_customer_profile, warm_intro_bounty
       FROM innovators WHERE user_id = $1`,
      [userId],
    );
    if (!row) return null;
    return {
      id: row.id,
      companyName: row.company_name,
      solutionDescription: row.solution_description,
      categories: row.categories ?? [],
      targetCustomerProfile: row.target_customer_profile,
      warmIntroBounty: row.warm_intro_bounty,
    };
  }

  /** Credits the user can still promise (ledger minus bounties held by unsettled requests). */
  async availableCredits(userId: string): Promise<number> {
    const [row] = await this.database.query<{ available: string }>(`SELECT (${AVAILABLE_CREDITS_SQL}) AS available`, [
      userId,
    ]);
    return Number(row.available);
  }

  /**
   * The user's intros, newest first, at most MAX_INTROS: opportunities for them (innovator_id),
   * their own connection requests, and intro offers made to them, while pending or accepted.
   */
  async findIntros(userId: string): Promise<InnovatorIntro[]> {
    const rows = await this.database.query<{
      kind: InnovatorIntro['kind'];
      id: string;
      status: string;
      person_name: string | null;
      company: string | null;
      title: string | null;
      other_first_name: string | null;
      bounty_credits: number;
      updated_at: Date;
    }>(
      `SELECT * FROM (
         SELECT 'intro_opportunity' AS kind, o.id, o.status,
                trim(o.first_name || ' ' || o.last_name) AS person_name, o.prospect_company AS company,
                o.prospect_title AS title, c.first_name AS other_first_name, o.bounty_credits, o.updated_at
         FROM intro_opportunities o LEFT JOIN users c ON c.id = o.connector_user_id
         WHERE o.innovator_id = $1 AND o.status IN ('open', 'presented', 'pending', 'accepted')
         UNION ALL
         SELECT 'connection_request', r.id, r.status, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')),
                u.company, u.title, NULL, r.bounty_credits, r.updated_at
         FROM connection_requests r JOIN users u ON u.id = r.introducee_user_id
         WHERE r.requestor_user_id = $1 AND r.status IN ('open', 'presented', 'pending', 'accepted')
         UNION ALL
         SELECT 'intro_offer', f.id, f.status, f.prospect_name, f.prospect_company, f.prospect_title,
                u.first_name, f.bounty_credits, f.updated_at
         FROM intro_offers f LEFT JOIN users u ON u.id = f.offering_user_id
         WHERE f.introducee_user_id = $1 AND f.status IN ('pending_introducee_response', 'pending_connector_confirmation')
       ) intros
       ORDER BY updated_at DESC, id
       LIMIT $2`,
      [userId, MAX_INTROS],
    );
    return rows.map((row) => ({
      kind: row.kind,
      id: row.id,
      status: row.status,
      personName: row.person_name && row.person_name.trim() !== '' ? row.person_name.trim() : null,
      company: row.company,
      title: row.title,
      otherFirstName: row.other_first_name,
      bountyCredits: row.bounty_credits,
      updatedAt: row.updated_at,
    }));
  }

  /** How many prospects the user uploaded, and a few of the latest (names and companies only). */
  async findProspects(userId: string): Promise<ProspectSummary> {
    const [count] = await this.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM prospects WHERE innovator_id = $1`,
      [userId],
    );
    const latest = await this.database.query<{
      id: string;
      first_name: string | null;
      last_name: string | null;
      company: string | null;
    }>(
      `SELECT id, first_name, last_name, company FROM prospects WHERE innovator_id = $1
       ORDER BY created_at DESC, id LIMIT $2`,
      [userId, MAX_PROSPECT_NAMES],
    );
    return {
      total: Number(count.n),
      latest: latest.map((row) => ({
        id: row.id,
        name: [row.first_name, row.last_name].filter((part) => part).join(' ') || null,
        company: row.company,
      })),
    };
  }

  /** The user's own open community requests, with the first names of members who answered. */
  async findOwnRequests(userId: string): Promise<OwnCommunityRequest[]> {
    const rows = await this.database.query<{
      id: string;
      question: string;
      request_summary: string | null;
      status: string;
      responses_count: number;
      responders: Array<{ id: string; first_name: string | null; summary: string | null }> | null;
    }>(
      `SELECT r.id, r.question, r.request_summary, r.status, r.responses_count,
              (SELECT json_agg(json_build_object('id', u.id, 'first_name', u.first_name, 'summary', s.response_text)
                               ORDER BY s.created_at)
               FROM community_responses s JOIN users u ON u.id = s.user_id
               WHERE s.request_id = r.id AND u.id <> $1) AS responders
       FROM community_requests r
       WHERE r.requesting_user_id = $1 AND r.status IN ('open', 'responses_received')
       ORDER BY r.created_at DESC, r.id
       LIMIT $2`,
      [userId, MAX_OWN_REQUESTS],
    );
    return rows.map((row) => ({
      id: row.id,
      question: row.question,
      summary: row.request_summary,
      status: row.status,
      responsesCount: row.responses_count,
      responders: (row.responders ?? []).map((r) => ({ userId: r.id, firstName: r.first_name, summary: r.summary })),
    }));
  }

  /**
   * What re-engagement throttling reads (same rules as the Concierge): when the last
   * nudge went out, and how many nudges went out since the user last wrote, within `windowDays`.
   */
  async reengagementHistory(userId: string, now: Date, windowDays: number): Promise<ReengagementHistory> {
    const [row] = await this.database.query<{ last_sent_at: Date | null; unanswered: string }>(
      `WITH last_user AS (
         SELECT max(created_at) AS at FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user'
       )
       SELECT
         (SELECT max(created_at) FROM agent_actions_log
          WHERE user_id = $1 AND action_type = 're_engagement_message_sent' AND agent_type <> 'bouncer') AS last_sent_at,
         (SELECT count(*) FROM agent_actions_log, last_user
          WHERE user_id = $1 AND action_type = 're_engagement_message_sent' AND agent_type <> 'bouncer'
            AND created_at > $2::timestamptz - make_interval(days => $3)
            AND (last_user.at IS NULL OR created_at > last_user.at)) AS unanswered`,
      [userId, now, windowDays],
    );
    return { lastSentAt: row.last_sent_at, unansweredInWindow: Number(row.unanswered) };
  }
}
