-- Up Migration
-- `ops replay` looks its idempotency key up in agent_actions_log before replaying: one small index
-- over replay rows only.
CREATE INDEX IF NOT EXISTS agent_actions_log_replay_key_idx ON agent_actions_log ((input_data ->> 'key'))
  WHERE action_type = 'event_replay';

-- Down Migration
-- DROP INDEX IF EXISTS agent_actions_log_replay_key_idx;
