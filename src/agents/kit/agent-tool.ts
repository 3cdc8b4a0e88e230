import type { AgentName, NewEvent } from '../agent.types';
import type { TurnContext } from '../context/agent-context.types';
import type { IdKind } from '../context/loaded-ids';
import type { AgentEffect } from '../effects/agent-effect.types';
import type { QueuedMessage } from '../../messaging/queued-message.types';
import type { JsonObjectSchema, Parsed } from '../model/model.types';

/** An id a tool call names, with the kind of row it must be. */
export interface ToolRef {
  kind: IdKind;
  id: string;
}

/** What a tool plans: writes as data (committed with the turn), and facts for the reply. */
export interface ToolPlan<F> {
  effects: AgentEffect[];
  events: NewEvent[];
  /** Proactive texts, queued for the message dispatcher (never immediate replies). */
  queued?: QueuedMessage[];
  /** What the reply may say about the result (e.g. the offer's prospect name). */
  facts: F;
}

export type Authorization = { ok: true } | { ok: false; reason: string };

/** Who runs the tool: a tool may be shared (the Innovator runs some of the Concierge's). */
export interface ToolCaller {
  agent: AgentName;
}

/**
 * A tool as a value (docs/agents.md, docs/architecture.md §2). `parse` validates the model's raw input (throws
 * InvalidModelOutputError), `refs` lists every id the input names, `authorize` is the one rule
 * shared by every tool (each named id is in the turn's loaded context, see `authorizeRefs`), and
 * `plan` turns the input into effects, events and facts. Tools never write.
 */
export interface AgentTool<C extends TurnContext, I, F> {
  readonly name: string;
  readonly description: string;
  readonly schema: JsonObjectSchema;
  parse(raw: unknown): Parsed<I>;
  refs(input: I): ToolRef[];
  authorize(context: C, input: I): Authorization;
  /**
   * Optional checks of the input against the turn beyond ids, e.g. that a name the model wrote
   * was stated by the member. Returns why the call is refused, or null.
   */
  validate?(context: C, input: I): string | null;
  plan(context: C, input: I, caller: ToolCaller): ToolPlan<F> | Promise<ToolPlan<F>>;
}

/** The one authorization rule: every id the model names must be in the context loaded for this turn. */
export function authorizeRefs(context: TurnContext, refs: readonly ToolRef[]): Authorization {
  const unknown = refs.filter((ref) => !context.ids.has(ref.kind, ref.id));
  if (unknown.length === 0) return { ok: true };
  return { ok: false, reason: `ids not in this turn's context: ${unknown.map((r) => r.kind).join(', ')}` };
}

/** A tool as written: its `parse` is handed the schema's top-level property names, the only keys its input may carry. */
export type ToolSpec<C extends TurnContext, I, F> = Omit<AgentTool<C, I, F>, 'authorize' | 'parse'> & {
  parse(raw: unknown, properties: readonly string[]): Parsed<I>;
};

/** Builds a tool value whose `authorize` is the shared rule over its `refs`. */
export function defineTool<C extends TurnContext, I, F>(spec: ToolSpec<C, I, F>): AgentTool<C, I, F> {
  const properties = Object.keys(spec.schema.properties);
  return {
    ...spec,
    parse: (raw) => spec.parse(raw, properties),
    authorize: (context, input) => authorizeRefs(context, spec.refs(input)),
  };
}
