import { progressOf } from './onboarding-progress';
import { chooseBouncerScenario } from './bouncer-scenario';
import type {
  BouncerDecision,
  BouncerDecisionInput,
  BouncerReengagementInput,
  CollectedInfo,
  ReengagementDecision,
} from './bouncer-model.types';
import { understand } from '../local/text-understanding';

/** The local model's Call 1 for the Bouncer: read the texts, propose what to collect and say. */
export function decideBouncerLocally(input: BouncerDecisionInput): BouncerDecision {
  const understood = understand(input.userTexts, input.awaiting);
  const collect: CollectedInfo = {};
  if (understood.firstName) collect.first_name = understood.firstName;
  if (understood.lastName) collect.last_name = understood.lastName;
  if (understood.company) collect.company = understood.company;
  if (understood.title) collect.title = understood.title;
  if (understood.email) collect.email = understood.email;
  if (understood.linkedinUrl) collect.linkedin_url = understood.linkedinUrl;
  if (understood.referrer) collect.referrer_name = understood.referrer;

  const known = input.known;
  const projected = {
    ...known,
    firstName: collect.first_name ?? known.firstName,
    lastName: collect.last_name ?? known.lastName,
    company: collect.company ?? known.company,
    title: collect.title ?? known.title,
    nameDropped: collect.referrer_name ?? known.nameDropped,
  };
  const answered = input.referrerAnswered || input.awaiting !== null;
  const progress = progressOf(projected, answered);
  const completedNow = progress.isComplete && !input.alreadyComplete;
  const scenario = chooseBouncerScenario({
    proposed: understood.thanksOnly ? 'emoji_reply_only' : 'general_response',
    progress,
    completedNow,
    emailVerifiedAck: input.emailVerifiedAck,
  });
  return { scenario, collect, questions: understood.questions, guidance: null, replyTexts: [] };
}

/** Re-engagement: nudge, unless the user's last words asked for time or to stop. */
export function decideBouncerReengagementLocally(input: BouncerReengagementInput): ReengagementDecision {
  if (input.step === 'complete') return { send: false, reason: 'onboarding is complete' };
  const understood = understand(input.lastUserText ? [input.lastUserText] : [], null);
  if (understood.wantsSpace) return { send: false, reason: 'the user asked for time or to stop' };
  return { send: true, reason: `onboarding stalled at ${input.step}` };
}
