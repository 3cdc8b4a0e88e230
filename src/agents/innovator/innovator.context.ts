import { Injectable } from '@nestjs/common';
import { ConciergeContextLoader, type ConciergeContext } from '../concierge/concierge.context';
import type { TurnContext } from '../context/agent-context.types';
import { InnovatorRepository } from './innovator.repository';

/** The user's `innovators` row (null until they have one). */
export interface InnovatorProfile {
  id: string;
  companyName: string | null;
  solutionDescription: string | null;
  categories: string[];
  targetCustomerProfile: string | null;
  warmIntroBounty: number;
}

/** One intro of the innovator's, as stored: an opportunity for them, their own request, or an offer to them. */
export interface InnovatorIntro {
  kind: 'intro_opportunity' | 'connection_request' | 'intro_offer';
  id: string;
  status: string;
  /** The person to be met (prospect or member), as stored. */
  personName: string | null;
  company: string | null;
  title: string | null;
  /** The connector's or offerer's first name; never their contact details. */
  otherFirstName: string | null;
  bountyCredits: number;
  updatedAt: Date;
}

export interface ProspectSummary {
  total: number;
  latest: Array<{ id: string; name: string | null; company: string | null }>;
}

export interface OwnCommunityRequest {
  id: string;
  question: string;
  summary: string | null;
  status: string;
  responsesCount: number;
  /** Members who answered: first name and the answer's summary only. */
  responders: Array<{ userId: string; firstName: string | null; summary: string | null }>;
}

export interface ReengagementHistory {
  lastSentAt: Date | null;
  unansweredInWindow: number;
}

/**
 * The Innovator's context: the Concierge's (goal, priorities, items awaiting the user's
 * answer, so the Concierge's tools apply unchanged), plus the innovator's own rows.
 */
export interface InnovatorContext extends ConciergeContext {
  profile: InnovatorProfile | null;
  /** Ledger balance minus bounties held by unsettled connection requests. */
  availableCredits: number;
  intros: InnovatorIntro[];
  prospects: ProspectSummary;
  ownRequests: OwnCommunityRequest[];
}

@Injectable()
export class InnovatorContextLoader {
  constructor(
    private readonly concierge: ConciergeContextLoader,
    private readonly repository: InnovatorRepository,
  ) {}

  async load(turn: TurnContext): Promise<InnovatorContext> {
    const userId = turn.user.id;
    // Two statements at once (one_statement mode): the Concierge's reads and the innovator's own.
    const [base, { profile, availableCredits, intros, prospects, ownRequests }] = await Promise.all([
      this.concierge.load(turn),
      this.repository.readContext(userId),
    ]);
    // The innovator's own intros are not added under the Concierge's kinds: those mean "awaiting
    // this user's answer" (they are the connector or the introducee), never "the user is the innovator".
    const ids = base.ids.with({
      prospect: prospects.latest.map((p) => p.id),
      // Members the innovator may ask to meet: those who answered their own requests.
      member: ownRequests.flatMap((r) => r.responders.map((responder) => responder.userId)),
    });
    return { ...base, ids, profile, availableCredits, intros, prospects, ownRequests };
  }
}
