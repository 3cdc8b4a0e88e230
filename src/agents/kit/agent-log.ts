import type { ActionLogEntry, AgentName } from '../agent.types';
import type { TurnContext } from '../context/agent-context.types';
import { costUsd } from '../../config/model-prices';
import type { ModelUsage } from '../model/model.types';

/** Builds `agent_actions_log` rows for one turn, with the user and conversation filled in. */
export class AgentLog {
  readonly entries: ActionLogEntry[] = [];

  constructor(
    private readonly agent: AgentName,
    private readonly context: Pick<TurnContext, 'user' | 'conversation'>,
  ) {}

  add(
    actionType: string,
    details: Omit<ActionLogEntry, 'agent_type' | 'action_type' | 'user_id' | 'context_id' | 'context_type'> = {},
  ): void {
    this.entries.push({
      agent_type: this.agent,
      action_type: actionType,
      user_id: this.context.user.id,
      context_id: this.context.conversation.id,
      context_type: 'conversation',
      ...details,
    });
  }

  /**
   * One row per model call: model, tokens (cache writes and reads in input_data), latency, and
   * cost_usd from the price table (src/config/model-prices.ts; the local model costs nothing).
   */
  modelCall(purpose: string, modelKind: string, usage: ModelUsage, refused: readonly string[] = []): void {
    this.add('llm_call', {
      model_used: usage.model,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cost_usd: modelKind === 'claude' ? costUsd(usage.model, usage) : 0,
      latency_ms: usage.latencyMs,
      input_data: {
        purpose,
        model_kind: modelKind,
        cache_creation_input_tokens: usage.cacheCreationInputTokens,
        cache_read_input_tokens: usage.cacheReadInputTokens,
      },
    });
    if (refused.length > 0) {
      this.add('model_output_refused', {
        model_used: usage.model,
        input_data: { purpose, refused_keys: [...refused] },
        error: `refused keys outside the tool schema: ${refused.join(', ')}`,
      });
    }
  }
}
