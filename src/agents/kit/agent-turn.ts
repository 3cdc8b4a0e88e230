import { Logger } from '@nestjs/common';
import type { AgentPipeline } from '../../config/environment';
import type { AgentName, AgentOutcome, NewEvent } from '../agent.types';
import type { TurnContext } from '../context/agent-context.types';
import type { AgentEffect } from '../effects/agent-effect.types';
import type { QueuedMessage } from '../../messaging/queued-message.types';
import type { AgentModel } from '../model/agent-model';
import { InvalidModelOutputError } from '../model/model.errors';
import type { DecideRequest } from '../model/model-requests.types';
import type { PromptParts } from '../model/model.types';
import { enforceTone, type ToneRules } from '../tone/tone-rules';
import { AgentLog } from './agent-log';
import type { AgentTool } from './agent-tool';

const logger = new Logger('AgentTurn');

/** What a reply needs: its prompt, the templates that stand in for it, and the rules it must meet. */
export interface ReplySpec {
  /** For logs, e.g. `bouncer.render`. */
  purpose: string;
  /** The scenario, for the tone log. */
  scenario: string;
  prompt: PromptParts;
  /** The agent's templates over the same facts: the local model's prose and the fallback. */
  template: () => string[];
  tone: ToneRules;
  /** Whether rendered texts still carry what they must (default: at least one text). */
  accept?: (texts: readonly string[]) => boolean;
  /**
   * The texts the decision already wrote (one-call pipeline), or null when a tool's result must
   * shape the words (then a render call writes them). Ignored by the two-call pipeline.
   */
  drafted?: readonly string[] | null;
}

export type ToolResult<F> = { ok: true; facts: F } | { ok: false; reason: string };

/**
 * The turn pipeline, written once for every agent: decide (logged, refusals audited) → parse,
 * authorize and plan tools → render → tone rules → template fallback → AgentOutcome. An agent
 * composes these steps; it never writes (the engine commits the outcome).
 */
export class AgentTurn<C extends TurnContext> {
  readonly log: AgentLog;
  readonly effects: AgentEffect[] = [];
  readonly events: NewEvent[] = [];
  readonly queued: QueuedMessage[] = [];

  constructor(
    readonly agent: AgentName,
    readonly context: C,
    private readonly model: AgentModel,
    private readonly signal: AbortSignal,
    readonly pipeline: AgentPipeline = 'two_call',
  ) {
    this.log = new AgentLog(agent, context);
  }

  /** One decision call; keys outside the tool's schema are refused and audited. */
  async decide<T>(request: DecideRequest<T>): Promise<T> {
    const call = await this.model.decide(request, { signal: this.signal });
    this.log.modelCall(request.purpose, this.model.kind, call.usage, call.refused);
    if (call.refused.length > 0) {
      logger.warn(
        { event: 'model_output_refused', userId: this.context.user.id, agentType: this.agent, refused: call.refused },
        'refused keys outside the decision schema',
      );
    }
    return call.value;
  }

  /**
   * Runs one tool call from the model's raw input: parse → authorize (the one rule) → plan. A
   * refused call is audited and plans nothing; the turn goes on.
   */
  async use<I, F>(tool: AgentTool<C, I, F>, raw: unknown): Promise<ToolResult<F>> {
    const parsed = this.parse(tool, raw);
    if (!parsed.ok) return parsed;
    return this.usePlanned(tool, parsed.input);
  }

  /** Validates a tool call's raw input; malformed input is refused and audited. */
  parse<I, F>(tool: AgentTool<C, I, F>, raw: unknown): { ok: true; input: I } | { ok: false; reason: string } {
    try {
      const parsed = tool.parse(raw);
      if (parsed.refused.length > 0) {
        this.log.add('model_output_refused', {
          input_data: { tool: tool.name, refused_keys: parsed.refused },
          error: `refused keys outside the tool schema: ${parsed.refused.join(', ')}`,
        });
      }
      return { ok: true, input: parsed.value };
    } catch (error) {
      if (!(error instanceof InvalidModelOutputError)) throw error;
      return this.refuse(tool.name, `malformed input: ${error.message}`);
    }
  }

  /** Runs a tool whose input is already validated (e.g. part of the decision): authorize → plan. */
  async usePlanned<I, F>(tool: AgentTool<C, I, F>, input: I): Promise<ToolResult<F>> {
    const authorization = tool.authorize(this.context, input);
    if (!authorization.ok) return this.refuse(tool.name, authorization.reason);
    const invalid = tool.validate?.(this.context, input) ?? null;
    if (invalid !== null) return this.refuse(tool.name, invalid);
    const plan = await tool.plan(this.context, input, { agent: this.agent });
    this.effects.push(...plan.effects);
    // A tool may be shared (the Innovator runs the Concierge's): its events name the acting agent.
    const createdBy = `${this.agent}_agent`;
    this.events.push(...plan.events.map((event) => ({ ...event, created_by: createdBy })));
    this.queued.push(...(plan.queued ?? []));
    return { ok: true, facts: plan.facts };
  }

  /** A tool name the agent does not have: refused and audited like any other refusal. */
  refuse(toolName: string, reason: string): { ok: false; reason: string } {
    this.log.add('tool_call_refused', { input_data: { tool: toolName }, error: reason });
    logger.warn(
      { event: 'tool_call_refused', userId: this.context.user.id, agentType: this.agent, tool: toolName },
      'refused a tool call',
    );
    return { ok: false, reason };
  }

  /**
   * The decision's own texts when the one-call pipeline allows them and they pass the rules;
   * otherwise render → tone rules → templates when nothing usable remains.
   */
  async reply(spec: ReplySpec): Promise<string[]> {
    if (this.pipeline === 'one_call' && spec.drafted && spec.drafted.length > 0) {
      const accept = spec.accept ?? ((t: readonly string[]) => t.length > 0);
      const drafted = enforceTone(spec.drafted, spec.tone);
      if (accept(drafted.texts)) {
        this.log.add('reply_from_decision', {
          output_data: { scenario: spec.scenario, corrections: drafted.corrections, texts: drafted.texts.length },
        });
        return drafted.texts;
      }
      this.log.add('drafted_reply_rejected', {
        output_data: { scenario: spec.scenario, corrections: drafted.corrections },
      });
    }
    const rendered = await this.model.render(
      { purpose: spec.purpose, prompt: spec.prompt, local: spec.template },
      { signal: this.signal },
    );
    this.log.modelCall(spec.purpose, this.model.kind, rendered.usage);
    return this.enforce(rendered.value, spec);
  }

  /** The tone rules on texts from any source, with the templates as the deterministic repair. */
  enforce(texts: readonly string[], spec: Pick<ReplySpec, 'scenario' | 'template' | 'tone' | 'accept'>): string[] {
    const accept = spec.accept ?? ((t: readonly string[]) => t.length > 0);
    let result = enforceTone(texts, spec.tone);
    let corrections = result.corrections;
    if (!accept(result.texts)) {
      corrections = [...corrections, 'replaced_with_template'];
      result = enforceTone(spec.template(), spec.tone);
    }
    if (corrections.length > 0) {
      this.log.add('tone_enforced', { output_data: { corrections, scenario: spec.scenario } });
      logger.warn(
        {
          event: 'tone_enforced',
          userId: this.context.user.id,
          agentType: this.agent,
          // Only the kind of each correction: `unknown_name:Acme` carries a fragment of the reply.
          corrections: corrections.map((correction) => correction.split(':')[0]),
        },
        'reply changed to meet the tone rules',
      );
    }
    return result.texts;
  }

  outcome(replies: string[]): AgentOutcome {
    const outcome: AgentOutcome = {
      replies,
      actions: this.effects,
      events: this.events,
      logs: this.log.entries,
    };
    if (this.queued.length > 0) outcome.queued = this.queued;
    return outcome;
  }
}
