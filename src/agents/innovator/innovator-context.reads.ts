import { oneStatement, toDate, type ReadSet } from '../context/read-set';
import { AVAILABLE_CREDITS_SQL } from '../effects/innovator.effects';
import type { InnovatorContext, InnovatorIntro, OwnCommunityRequest, ProspectSummary } from './innovator.context';

/** How many of each the context holds (up to 10 intros; requests and priorities as the Concierge). */
export const MAX_INTROS = 10;
export const MAX_OWN_REQUESTS = 5;
const MAX_PROSPECT_NAMES = 5;

/** The innovator's own rows in their context, on top of the Concierge's. */
export type InnovatorContextParts = Pick<
  InnovatorContext,
  'profile' | 'availableCredits' | 'intros' | 'prospects' | 'ownRequests'
>;

/** The reads behind InnovatorContextParts (the prospects take two: their count and the latest). */
export interface InnovatorReads extends Omit<InnovatorContextParts, 'prospects'> {
  prospectsTotal: number;
  latestProspects: ProspectSummary['latest'];
}

/**
 * The Innovator's reads. Every one is scoped to the user's own rows (innovator_id, requestor,
 * introducee or requester = the user); other members appear by first name only, never with a
 * phone number, email or LinkedIn. Each takes one parameter, $1 = the user id.
 */
export const INNOVATOR_READS: ReadSet<InnovatorReads> = {
  profile: {
    arity: 1,
    sql: `SELECT id, company_name, solution_description, categories, target_customer_profile, warm_intro_bounty
          FROM innovators WHERE user_id = $1`,
    map: ([row]) =>
      row
        ? {
            id: row.id as string,
            companyName: row.company_name as string | null,
            solutionDescription: row.solution_description as string | null,
            categories: (row.categories as string[] | null) ?? [],
            targetCustomerProfile: row.target_customer_profile as string | null,
            warmIntroBounty: row.warm_intro_bounty as number,
          }
        : null,
  },
  /** Credits the user can still promise (ledger minus bounties held by unsettled requests). */
  availableCredits: {
    arity: 1,
    sql: `SELECT (${AVAILABLE_CREDITS_SQL}) AS available`,
    map: ([row]) => Number(row.available),
  },
  /**
   * The user's intros, newest first, at most MAX_INTROS: opportunities for them (innovator_id),
   * their own connection requests, and intro offers made to them, while pending or accepted.
   */
  intros: {
    arity: 1,
    sql: `SELECT * FROM (
            SELECT 'intro_opportunity' AS kind, o.id, o.status,
                   trim(o.first_name || ' ' || o.last_name) AS person_name, o.prospect_company AS company,
                   o.prospect_title AS title, c.first_name AS other_first_name, o.bounty_credits, o.updated_at
            FROM intro_opportunities o LEFT JOIN users c ON c.id = o.connector_user_id
            WHERE o.innovator_id = $1 AND o.status IN ('open', 'presented', 'pending', 'accepted')
            UNION ALL
            SELECT 'connection_request', r.id, r.status,
                   trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')),
                   u.company, u.title, NULL, r.bounty_credits, r.updated_at
            FROM connection_requests r JOIN users u ON u.id = r.introducee_user_id
            WHERE r.requestor_user_id = $1 AND r.status IN ('open', 'presented', 'pending', 'accepted')
            UNION ALL
            SELECT 'intro_offer', f.id, f.status, f.prospect_name, f.prospect_company, f.prospect_title,
                   u.first_name, f.bounty_credits, f.updated_at
            FROM intro_offers f LEFT JOIN users u ON u.id = f.offering_user_id
            WHERE f.introducee_user_id = $1
              AND f.status IN ('pending_introducee_response', 'pending_connector_confirmation')
          ) intros
          ORDER BY updated_at DESC, id
          LIMIT ${MAX_INTROS}`,
    order: 'updated_at DESC, id',
    map: (rows) =>
      rows.map((r) => {
        const personName = (r.person_name as string | null)?.trim();
        return {
          kind: r.kind as InnovatorIntro['kind'],
          id: r.id as string,
          status: r.status as string,
          personName: personName ? personName : null,
          company: r.company as string | null,
          title: r.title as string | null,
          otherFirstName: r.other_first_name as string | null,
          bountyCredits: r.bounty_credits as number,
          updatedAt: toDate(r.updated_at)!,
        };
      }),
  },
  /** How many prospects the user uploaded. */
  prospectsTotal: {
    arity: 1,
    sql: `SELECT count(*) AS n FROM prospects WHERE innovator_id = $1`,
    map: ([row]) => Number(row.n),
  },
  /** A few of the latest prospects: names and companies only. */
  latestProspects: {
    arity: 1,
    sql: `SELECT id, first_name, last_name, company, created_at FROM prospects WHERE innovator_id = $1
          ORDER BY created_at DESC, id LIMIT ${MAX_PROSPECT_NAMES}`,
    order: 'created_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        name: [r.first_name, r.last_name].filter((part) => part).join(' ') || null,
        company: r.company as string | null,
      })),
  },
  /** The user's own open community requests, with the first names of members who answered. */
  ownRequests: {
    arity: 1,
    sql: `SELECT r.id, r.question, r.request_summary, r.status, r.responses_count, r.created_at,
                 (SELECT json_agg(json_build_object('id', u.id, 'first_name', u.first_name, 'summary', s.response_text)
                                  ORDER BY s.created_at, s.id)
                  FROM community_responses s JOIN users u ON u.id = s.user_id
                  WHERE s.request_id = r.id AND u.id <> $1) AS responders
          FROM community_requests r
          WHERE r.requesting_user_id = $1 AND r.status IN ('open', 'responses_received')
          ORDER BY r.created_at DESC, r.id
          LIMIT ${MAX_OWN_REQUESTS}`,
    order: 'created_at DESC, id',
    map: (rows) =>
      rows.map((r) => ({
        id: r.id as string,
        question: r.question as string,
        summary: r.request_summary as string | null,
        status: r.status as string,
        responsesCount: r.responses_count as number,
        responders: ((r.responders as Array<Record<string, string | null>> | null) ?? []).map(
          (responder): OwnCommunityRequest['responders'][number] => ({
            userId: responder.id as string,
            firstName: responder.first_name,
            summary: responder.summary,
          }),
        ),
      })),
  },
};

/** All six reads as one statement (see `oneStatement`). */
export const INNOVATOR_READS_IN_ONE_STATEMENT = oneStatement(INNOVATOR_READS);

export const innovatorReadParams = (userId: string): unknown[] => [userId];

export const toContextParts = ({
  prospectsTotal,
  latestProspects,
  ...rest
}: InnovatorReads): InnovatorContextParts => ({
  ...rest,
  prospects: { total: prospectsTotal, latest: latestProspects },
});
