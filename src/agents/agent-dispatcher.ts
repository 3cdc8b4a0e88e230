import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ActionLogEntry, AgentName, TurnInput, TurnResult } from './agent.types';
import { AGENT_PROVIDERS, type AgentProvider, type AgentProviders } from './agent-provider';
import { AgentContextLoader } from './context/agent-context.loader';
import { chooseAgent } from './context/agent-routing';
import { AgentModel } from './model/agent-model';
import { SmsCompliance } from '../messaging/sms-compliance';

/**
 * The engine's entry point: loads the turn's context, picks the agent by the user's state and
 * runs it. Never writes; the engine commits the result in one transaction. Rows that cannot be
 * answered (missing user or conversation, system rows nobody acts on) give an empty outcome with a
 * log row, so the turn completes instead of failing forever. Model failures are thrown: the engine
 * retries with backoff.
 */
@Injectable()
export class AgentDispatcher {
  private readonly logger = new Logger(AgentDispatcher.name);
  private readonly providers: ReadonlyMap<AgentName, AgentProvider>;

  constructor(
    @Inject(AGENT_PROVIDERS) providers: AgentProviders,
    private readonly loader: AgentContextLoader,
    private readonly model: AgentModel,
    private readonly compliance: SmsCompliance,
  ) {
    this.providers = new Map(providers.map((provider) => [provider.name, provider]));
  }

  async handleTurn(turn: TurnInput, { signal }: { signal: AbortSignal }): Promise<TurnResult> {
    const started = performance.now();
    // STOP / START / HELP and opted-out users are answered by src/messaging, never by an agent.
    const keywordReply = await this.compliance.answer(turn);
    if (keywordReply) return keywordReply;
    const loaded = await this.loader.load(turn, new Date());
    const ids = { userId: turn.userId, messageIds: turn.messageIds };

    if (loaded.kind === 'missing') {
      this.logger.warn({ event: 'turn_unanswerable', ...ids, reason: loaded.reason }, 'turn has nothing to answer');
      return empty(loaded.reason, loaded.user ? chooseAgent(loaded.user).agent : 'bouncer', {
        agent_type: 'dispatcher',
        action_type: 'agent_invocation_skipped',
        user_id: loaded.user?.id ?? null,
        input_data: { message_ids: turn.messageIds },
        error: loaded.reason,
      });
    }

    const route = chooseAgent(loaded.kind === 'ready' ? loaded.context.user : loaded.user);
    const userId = loaded.kind === 'ready' ? loaded.context.user.id : loaded.user.id;
    const conversationId = loaded.kind === 'ready' ? loaded.context.conversation.id : loaded.conversation.id;
    const routingLogs: ActionLogEntry[] = [];
    if (route.warning) {
      this.logger.warn({ event: 'agent_routing_fallback', ...ids, agentType: route.agent }, route.warning);
      routingLogs.push({
        agent_type: route.agent,
        action_type: 'agent_routing_fallback',
        user_id: userId,
        context_id: conversationId,
        context_type: 'conversation',
        error: route.warning,
      });
    }

    if (loaded.kind === 'silent') {
      return empty(loaded.reason, route.agent, ...routingLogs, {
        agent_type: route.agent,
        action_type: 'system_message_ignored',
        user_id: userId,
        context_id: conversationId,
        context_type: 'conversation',
        input_data: { message_ids: turn.messageIds },
        output_data: { reason: loaded.reason },
      });
    }

    const provider = this.providers.get(route.agent);
    if (!provider) throw new Error(`no agent provider named ${route.agent}`);
    const { context } = loaded;
    const outcome = await provider.handle(context, { signal });
    const latency = Math.round(performance.now() - started);
    outcome.logs.unshift(...routingLogs, {
      agent_type: route.agent,
      action_type: 'agent_invocation',
      user_id: userId,
      context_id: conversationId,
      context_type: 'conversation',
      model_used: this.model.kind,
      latency_ms: latency,
      input_data: { message_ids: turn.messageIds, path: context.trigger.kind, history: context.history.length },
      output_data: {
        replies: outcome.replies.length,
        actions: outcome.actions.map((a) => a.type),
        events: outcome.events.length,
      },
    });
    this.logger.log(
      { event: 'agent_invocation', ...ids, agentType: route.agent, duration: latency, replies: outcome.replies.length },
      'agent answered',
    );
    return { agent: route.agent, outcome };
  }
}

function empty(skipped: string, agent: AgentName, ...logs: ActionLogEntry[]): TurnResult {
  return { agent, outcome: { replies: [], actions: [], events: [], logs }, skipped };
}
