import { Injectable } from '@nestjs/common';
import { AgentModel } from '../agents/model/agent-model';
import { outcomeOf } from '../agents/model/model-metrics';
import { PRODUCT_FACTS, PRODUCT_VOCABULARY } from '../agents/product/product-facts';
import { enforceTone, wordsOf, type ToneRules } from '../agents/tone/tone-rules';

/** Longest `summary` accepted (the rendered text must still fit one SMS). */
const MAX_SUMMARY_LENGTH = 1000;
/** A model call for one queued text may take this long before the row fails. */
const RENDER_TIMEOUT_MS = 30_000;

/** The `message_data` a queued row without `final_message` is rendered from (README, Message discipline). */
export interface RenderableMessageData {
  /** What to tell the user, in plain words; the local model sends it as written, after the tone rules. */
  summary: string;
  /** Names and companies the text may mention besides those in `summary`. */
  names?: string[];
}

export type RenderResult = { ok: true; text: string } | { ok: false; reason: string };

/** Reads `message_data`; the reason when it is not the accepted shape (never its content). */
export function readMessageData(data: unknown): RenderableMessageData | string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'message_data is not an object';
  const { summary, names } = data as Record<string, unknown>;
  if (typeof summary !== 'string' || summary.trim() === '') return 'message_data.summary is missing or empty';
  if (summary.length > MAX_SUMMARY_LENGTH)
    return `message_data.summary is longer than ${MAX_SUMMARY_LENGTH} characters`;
  if (names !== undefined && (!Array.isArray(names) || names.some((name) => typeof name !== 'string'))) {
    return 'message_data.names is not a list of strings';
  }
  return { summary: summary.trim(), names: names as string[] | undefined };
}

/**
 * Renders a queued row's `message_data` into one SMS in the agent's voice through the model port
 * (the local model answers with the summary as written), then enforces the tone rules. A model
 * failure, or a result the tone rules leave empty, is a reason the row ends `failed`.
 */
@Injectable()
export class QueuedMessageRenderer {
  constructor(private readonly model: AgentModel) {}

  async render(agentId: string, data: unknown): Promise<RenderResult> {
    const facts = readMessageData(data);
    if (typeof facts === 'string') return { ok: false, reason: `cannot render: ${facts}` };
    const tone: ToneRules = {
      maxSentencesPerText: 3,
      maxCharsPerText: 480,
      maxTexts: 1,
      allowedEmails: [],
      knownWords: wordsOf([
        ...PRODUCT_VOCABULARY,
        ...Object.values(PRODUCT_FACTS),
        facts.summary,
        ...(facts.names ?? []),
      ]),
    };
    let texts: string[];
    try {
      const rendered = await this.model.render(
        {
          purpose: `${agentId}.queued_text`,
          prompt: {
            staticSystem:
              `You are the ${agentId} agent of a professional network, writing one proactive SMS to a member. ` +
              'Say what the facts say in two or three short sentences, in a calm, direct voice: no exclamation ' +
              'points, no emojis, no email address or phone number, no name that is not in the facts. Answer with ' +
              'the text only.',
            dynamicSystem: JSON.stringify({ summary: facts.summary, names: facts.names ?? [] }),
            turns: [{ role: 'user', content: 'Write the text.' }],
            maxTokens: 300,
          },
          local: () => [facts.summary],
        },
        { signal: AbortSignal.timeout(RENDER_TIMEOUT_MS) },
      );
      texts = rendered.value;
    } catch (error) {
      return { ok: false, reason: `render failed: model ${outcomeOf(error)}` };
    }
    const toned = enforceTone(texts, tone);
    const text = toned.texts[0]?.trim() ?? '';
    if (text === '') {
      // The kind of each correction only: `unknown_name:<name>` would put the text in the reason.
      const kinds = [...new Set(toned.corrections.map((correction) => correction.split(':')[0]))];
      const why = kinds.length > 0 ? ` (${kinds.join(', ')})` : '';
      return { ok: false, reason: `render produced no usable text${why}` };
    }
    return { ok: true, text };
  }
}
