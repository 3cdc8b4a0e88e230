import { Injectable } from '@nestjs/common';
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

export interface PriorityItem {
  id: string;
  itemType: string;
  itemId: string;
  valueScore: number | null;
  status: string;
  summary: string | null;
  primaryName: string | null;
}

export interface ReengagementHistory {
  lastSentAt: Date | null;
  unansweredInWindow: number;
}

/** The Innovator's context (brief §5): the turn, plus the innovator's own rows and nothing else. */
export interface InnovatorContext extends TurnContext {
  profile: InnovatorProfile | null;
  /** Ledger balance minus bounties held by unsettled connection requests. */
  availableCredits: number;
  intros: InnovatorIntro[];
  prospects: ProspectSummary;
  ownRequests: OwnCommunityRequest[];
  priorities: PriorityItem[];
  goal: string | null;
}

@Injectable()
export class InnovatorContextLoader {
  constructor(private readonly repository: InnovatorRepository) {}

  async load(turn: TurnContext): Promise<InnovatorContext> {
    const userId = turn.user.id;
    const [profile, availableCredits, intros, prospects, ownRequests, priorities, goal] = await Promise.all([
      this.repository.findProfile(userId),
      this.repository.availableCredits(userId),
      this.repository.findIntros(userId),
      this.repository.findProspects(userId),
      this.repository.findOwnRequests(userId),
      this.repository.findPriorities(userId),
      this.repository.findGoal(userId),
    ]);
    const of = (kind: InnovatorIntro['kind']) => intros.filter((i) => i.kind === kind).map((i) => i.id);
    const prioritized = (kind: string) => priorities.filter((p) => p.itemType === kind).map((p) => p.itemId);
    const ids = turn.ids.with({
      intro_opportunity: [...of('intro_opportunity'), ...prioritized('intro_opportunity')],
      connection_request: [...of('connection_request'), ...prioritized('connection_request')],
      intro_offer: [...of('intro_offer'), ...prioritized('intro_offer')],
      community_request: [...ownRequests.map((r) => r.id), ...prioritized('community_request')],
      user_priority: priorities.map((p) => p.id),
      prospect: prospects.latest.map((p) => p.id),
      // Members the innovator may ask to meet: those who answered their own requests.
      member: ownRequests.flatMap((r) => r.responders.map((responder) => responder.userId)),
    });
    return { ...turn, ids, profile, availableCredits, intros, prospects, ownRequests, priorities, goal };
  }
}
