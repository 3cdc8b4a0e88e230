import { Injectable } from '@nestjs/common';
import type { TurnContext } from '../context/agent-context.types';
import { BouncerRepository } from './bouncer.repository';
import { checkOnboardingProgress, type OnboardingProgress } from './onboarding-progress';
import { ONCE_EVENTS } from './once-events';

/** The Bouncer's context: the turn, plus where onboarding stood before it. */
export interface BouncerContext extends TurnContext {
  /** Onboarding state before this turn (what the Bouncer last asked for). */
  progressBefore: OnboardingProgress;
  /** Event types already recorded for this user, among those the Bouncer emits at most once. */
  pastEvents: ReadonlySet<string>;
  /** Full names (lower case) of the people this user already nominated. */
  nominations: string[];
}

@Injectable()
export class BouncerContextLoader {
  constructor(private readonly repository: BouncerRepository) {}

  async load(turn: TurnContext): Promise<BouncerContext> {
    const [pastEvents, nominations] = await Promise.all([
      this.repository.findPastEventTypes(turn.user.id, ONCE_EVENTS),
      this.repository.findNominations(turn.user.id),
    ]);
    return {
      ...turn,
      progressBefore: checkOnboardingProgress(turn.user, turn.earlierMessages),
      pastEvents,
      nominations,
    };
  }
}
