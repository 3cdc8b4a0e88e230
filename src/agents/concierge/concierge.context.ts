import { Injectable } from '@nestjs/common';
import type { TurnContext } from '../context/agent-context.types';
import type { IntroKind } from '../effects/intros.effects';
import { ConciergeRepository } from './concierge.repository';

/** A `user_priorities` row with its denormalized item fields (written by the Account Manager). */
export interface ConciergePriority {
  id: string;
  rank: number;
  itemType: string;
  itemId: string;
  valueScore: number | null;
  status: string;
  presentationCount: number;
  presentedAt: Date | null;
  summary: string | null;
  primaryName: string | null;
  secondaryName: string | null;
  itemContext: string | null;
}

export interface IntroOpportunityView {
  id: string;
  prospectName: string;
  prospectCompany: string | null;
  prospectTitle: string | null;
  innovatorId: string | null;
  innovatorName: string | null;
  bountyCredits: number;
  status: string;
  presentationCount: number;
}

export interface IntroOfferView {
  id: string;
  /** `introducee`: the offer was made to the user; `offerer`: the user made it and must confirm. */
  role: 'introducee' | 'offerer';
  offeringUserId: string | null;
  introduceeUserId: string | null;
  prospectName: string;
  prospectCompany: string | null;
  status: string;
  bountyCredits: number;
}

export interface ConnectionRequestView {
  id: string;
  requestorUserId: string | null;
  requestorName: string | null;
  requestorCompany: string | null;
  introContext: string | null;
  bountyCredits: number;
  status: string;
  presentationCount: number;
}

/**
 * An intro the member is a party to (connector, innovator, requestor, introducee or offerer) that is
 * not waiting on their own answer: something they may ask about ("any news on my intro to Jane?").
 */
export interface OwnIntroView {
  introType: IntroKind;
  id: string;
  status: string;
  /** The other person of the intro as the member knows them: the prospect, the requestor or the introducee. */
  personName: string | null;
  company: string | null;
}

export interface CommunityRequestView {
  id: string;
  requestingUserId: string | null;
  question: string;
  summary: string | null;
  category: string | null;
  expertiseNeeded: string[];
}

/** The member's re-engagement record, for throttling before any model call. */
export interface NudgeHistory {
  /** When the last nudge was decided (a `re_engagement_message_sent` log). */
  lastNudgeAt: Date | null;
  /** Nudges within 90 days since the member's last own text. */
  unansweredNudges: number;
}

/** what the Concierge reads per message. */
export interface ConciergeContext extends TurnContext {
  /** `response_pattern.user_goal`, as the member wrote it. */
  goal: string | null;
  /** Up to 10, by rank: status active, presented or clarifying, presented at most once. */
  priorities: ConciergePriority[];
  introOpportunities: IntroOpportunityView[];
  introOffers: IntroOfferView[];
  connectionRequests: ConnectionRequestView[];
  /** Up to 10 intros the member may ask about (not awaiting their own answer), latest change first. */
  ownIntros: OwnIntroView[];
  /** Up to 5 open requests aimed at the member that they have not answered. */
  openRequests: CommunityRequestView[];
  /** The last presented community request still awaiting this member's answer. */
  pendingRequest: CommunityRequestView | null;
  /** `innovators.warm_intro_bounty` when the member is an innovator (the bounty of an offer made to them). */
  ownWarmIntroBounty: number | null;
  nudges: NudgeHistory;
  /** The Concierge's last turn with this member asked a clarifying question. */
  hadRecentClarification: boolean;
}

/** the Concierge reads the last 5 messages. */
export const CONCIERGE_HISTORY = 5;

@Injectable()
export class ConciergeContextLoader {
  constructor(private readonly repository: ConciergeRepository) {}

  async load(turn: TurnContext): Promise<ConciergeContext> {
    const userId = turn.user.id;
    const {
      goal,
      priorities,
      introOpportunities,
      introOffers,
      connectionRequests,
      ownIntros,
      openRequests,
      warmIntroBounty: bounty,
      nudges,
      lastTurnScenario: lastScenario,
    } = await this.repository.read(userId, turn.now);
    const pendingPriority = priorities
      .filter((p) => p.itemType === 'community_request' && p.status === 'presented')
      .sort((a, b) => (b.presentedAt?.getTime() ?? 0) - (a.presentedAt?.getTime() ?? 0))
      .find((p) => openRequests.some((r) => r.id === p.itemId));
    const earlier = turn.earlierMessages.slice(-Math.max(CONCIERGE_HISTORY - turn.turnMessages.length, 2));
    return {
      ...turn,
      earlierMessages: earlier,
      history: [...earlier, ...turn.turnMessages],
      ids: turn.ids.with({
        user_priority: priorities.map((p) => p.id),
        intro_opportunity: introOpportunities.map((o) => o.id),
        intro_offer_to_answer: introOffers.filter((o) => o.role === 'introducee').map((o) => o.id),
        intro_offer_to_confirm: introOffers.filter((o) => o.role === 'offerer').map((o) => o.id),
        connection_request: connectionRequests.map((c) => c.id),
        community_request: openRequests.map((r) => r.id),
        own_intro: ownIntros.map((i) => i.id),
      }),
      goal,
      priorities,
      introOpportunities,
      introOffers,
      connectionRequests,
      ownIntros,
      openRequests,
      pendingRequest: pendingPriority ? (openRequests.find((r) => r.id === pendingPriority.itemId) ?? null) : null,
      ownWarmIntroBounty: bounty,
      nudges,
      hadRecentClarification: lastScenario === 'request_clarification',
    };
  }
}
