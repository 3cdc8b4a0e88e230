import { DEFAULT_WARM_INTRO_BOUNTY } from './tools/update-innovator-profile.tool';

/**
 * The warm-intro bounty rules (brief §5). `innovators.warm_intro_bounty` (default 25) is what an
 * innovator pays when someone offers them an intro and they accept. Pure, so the workflow handler
 * of `intro.offer_created` and the Concierge's `accept_intro_offer` share one definition.
 */

/** The introducee's side of an offer: their innovator row, if they are an innovator. */
export interface IntroduceeBountyProfile {
  warmIntroBounty: number;
}

/** Credits set on the offer when the introducee accepts: their warm bounty if an innovator, else 0. */
export function bountyOnAcceptance(introducee: IntroduceeBountyProfile | null): number {
  if (introducee === null) return 0;
  return Math.max(0, Math.trunc(introducee.warmIntroBounty));
}

/**
 * The introducee's priority value for a new offer: the handler's base score raised by
 * (bounty − 25), kept within the 0–100 scale of `user_priorities.value_score`. A bounty below the
 * default lowers it; a non-innovator (no bounty) leaves the base score unchanged.
 */
export function offerValueScore(baseScore: number, introducee: IntroduceeBountyProfile | null): number {
  const raise = introducee === null ? 0 : introducee.warmIntroBounty - DEFAULT_WARM_INTRO_BOUNTY;
  return Math.min(100, Math.max(0, Math.round(baseScore + raise)));
}
