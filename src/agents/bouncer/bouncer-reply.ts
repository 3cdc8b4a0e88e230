import type { AgentTurn, ReplySpec } from '../kit/agent-turn';
import { chatTurns } from '../model/chat-turns';
import { contextWords } from '../tone/context-words';
import type { BouncerContext } from './bouncer.context';
import type { BouncerRenderFacts } from './bouncer-model.types';
import { BOUNCER_RENDER_SYSTEM, bouncerRenderState } from './bouncer.prompts';
import { renderBouncerTemplate } from './bouncer.templates';

const RENDER_MAX_TOKENS = 300;

/** The Bouncer's reply for both flows: render, tone rules (two sentences a text), templates as the repair. */
export async function bouncerReply(
  turn: AgentTurn<BouncerContext>,
  facts: BouncerRenderFacts,
  drafted: readonly string[] | null = null,
): Promise<string[]> {
  if (facts.scenario === 'no_message') return [];
  if (facts.scenario === 'emoji_reply_only') return ['👍'];
  const spec: ReplySpec = {
    purpose: 'bouncer.render',
    scenario: facts.scenario,
    prompt: {
      staticSystem: BOUNCER_RENDER_SYSTEM,
      dynamicSystem: bouncerRenderState(facts),
      turns: chatTurns(turn.context.history, facts.nudge ? '(No reply from the user for a day.)' : undefined),
      maxTokens: RENDER_MAX_TOKENS,
    },
    template: () => renderBouncerTemplate(facts),
    tone: {
      maxSentencesPerText: 2,
      maxCharsPerText: 320,
      maxTexts: 3,
      allowedEmails: facts.verificationAddress ? [facts.verificationAddress] : [],
      knownWords: contextWords(turn.context, [facts.referrerName]),
    },
    accept: (texts) => carriesRequiredFacts(texts, facts),
    drafted,
  };
  return turn.reply(spec);
}

/** A reply must say something, an ask must still ask, and a verification request must carry the address. */
function carriesRequiredFacts(texts: readonly string[], facts: BouncerRenderFacts): boolean {
  if (texts.length === 0) return false;
  if (facts.verificationAddress !== null) {
    const address = facts.verificationAddress.toLowerCase();
    return texts.some((text) => text.toLowerCase().includes(address));
  }
  if (facts.scenario.startsWith('ask_for_')) return texts.some((text) => text.includes('?'));
  return true;
}

export function previousBouncerReplies(context: BouncerContext): string[] {
  return context.earlierMessages
    .filter((m) => m.direction === 'outbound' && m.role === 'bouncer')
    .map((m) => m.content);
}
