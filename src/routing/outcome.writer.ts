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
    // One statement per table, however many rows: each statement is a round trip inside the
    // turn's commit transaction, which holds the user's claim row locked until it ends.
    if (outcome.events.length > 0) {
      await client.query(
        `INSERT INTO events (event_type, aggregate_id, aggregate_type, payload, metadata, created_by)
         SELECT e.event_type, e.aggregate_id, e.aggregate_type, e.payload, e.metadata, e.created_by
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS row(value, position),
           jsonb_to_record(row.value) AS e(event_type text, aggregate_id uuid, aggregate_type text, payload jsonb,
             metadata jsonb, created_by text)
         ORDER BY row.position`,
        [
          JSON.stringify(
            outcome.events.map((event) => ({
              event_type: event.event_type,
              aggregate_id: event.aggregate_id,
              aggregate_type: event.aggregate_type,
              payload: event.payload,
              metadata: event.metadata ?? null,
              created_by: event.created_by,
            })),
          ),
        ],
      );
    }
    if (outcome.logs.length > 0) {
      await client.query(
        `INSERT INTO agent_actions_log (agent_type, action_type, user_id, context_id, context_type, model_used,
           input_tokens, output_tokens, cost_usd, latency_ms, input_data, output_data, error)
         SELECT l.agent_type, l.action_type, l.user_id, l.context_id, l.context_type, l.model_used,
           l.input_tokens, l.output_tokens, l.cost_usd, l.latency_ms, l.input_data, l.output_data, l.error
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS row(value, position),
           jsonb_to_record(row.value) AS l(agent_type text, action_type text, user_id uuid, context_id uuid,
             context_type text, model_used text, input_tokens integer, output_tokens integer, cost_usd numeric,
             latency_ms integer, input_data jsonb, output_data jsonb, error text)
         ORDER BY row.position`,
        [
          JSON.stringify(
            outcome.logs.map((log) => ({
              agent_type: log.agent_type,
              action_type: log.action_type,
              user_id: log.user_id,
              context_id: log.context_id ?? null,
              context_type: log.context_type ?? null,
              model_used: log.model_used ?? null,
              input_tokens: log.input_tokens ?? null,
              output_tokens: log.output_tokens ?? null,
              cost_usd: log.cost_usd ?? null,
              latency_ms: log.latency_ms ?? null,
              input_data: log.input_data ?? null,
              output_data: log.output_data ?? null,
              error: this.scrubber.errorText(log.error),
            })),
          ),
        ],
      );
    }
  }
}
