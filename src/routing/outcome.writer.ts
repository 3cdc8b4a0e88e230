import { Injectable } from '@nestjs/common';
import { ActionApplier } from '../agents/action-applier';
import type { AgentOutcome } from '../agents/agent.types';
import type { Queryable } from '../database/database.service';
import { applyConsentChange } from '../messaging/consent.writer';
import { StoredTextScrubber } from '../logging/stored-text.scrubber';
import { enqueueMessage } from '../messaging/message-queue.writer';

/** Writes an outcome's side effects, new events and log rows inside the caller's transaction. */
@Injectable()
export class OutcomeWriter {
  constructor(
    private readonly actions: ActionApplier,
    private readonly scrubber: StoredTextScrubber,
  ) {}

  async write(
    client: Queryable,
    outcome: Pick<AgentOutcome, 'actions' | 'events' | 'logs' | 'queued' | 'consent'>,
  ): Promise<void> {
    if (outcome.consent) await applyConsentChange(client, outcome.consent);
    await this.actions.apply(client, outcome.actions);
    for (const message of outcome.queued ?? []) await enqueueMessage(client, message);
    for (const event of outcome.events) {
      await client.query(
        `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, metadata, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          event.event_type,
          event.aggregate_id,
          event.aggregate_type,
          event.payload,
          event.metadata ?? null,
          event.created_by,
        ],
      );
    }
    for (const log of outcome.logs) {
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, context_id, context_type, model_used,
           input_tokens, output_tokens, cost_usd, latency_ms, input_data, output_data, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          log.agent_type,
          log.action_type,
          log.user_id,
          log.context_id ?? null,
          log.context_type ?? null,
          log.model_used ?? null,
          log.input_tokens ?? null,
          log.output_tokens ?? null,
          log.cost_usd ?? null,
          log.latency_ms ?? null,
          log.input_data ?? null,
          log.output_data ?? null,
          this.scrubber.errorText(log.error),
        ],
      );
    }
  }
}
