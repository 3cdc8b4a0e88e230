/** A prior turn of the conversation as the model sees it (system rows are never turns). */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** What a model call sends, in cache order: the static prefix first, per-user state after it. */
export interface PromptParts {
  /** Identical for every user of one agent and call: carries the cache breakpoint. */
  staticSystem: string;
  /** Per-user state; after the breakpoint so the prefix above still caches. */
  dynamicSystem: string;
  /** Oldest first; the last turn is the user's. */
  turns: ChatTurn[];
  maxTokens: number;
}

export interface JsonObjectSchema {
  type: 'object';
  description?: string;
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: boolean;
}

/**
 * Model output after validation: the typed value, and the names of whatever was refused on the
 * way (privileged or unknown keys), for the audit log.
 */
export interface Parsed<T> {
  value: T;
  refused: string[];
}

/** The forced tool a decision is made through; `parse` validates its input before any use. */
export interface DecisionTool<T> {
  name: string;
  description: string;
  inputSchema: JsonObjectSchema;
  /** Throws InvalidModelOutputError when the input cannot be used. */
  parse(input: unknown): Parsed<T>;
}

export interface ModelUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  latencyMs: number;
}

export interface ModelCall<T> {
  value: T;
  refused: string[];
  usage: ModelUsage;
}

export interface ModelCallOptions {
  /** Fires on shutdown or when the engine gives up on the turn. */
  signal: AbortSignal;
}
