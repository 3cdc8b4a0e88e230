-- Up Migration
-- Background workflows: effects done once per subject (so a replayed or duplicated event changes
-- nothing twice), and the indexes the task runner and the handlers read by.

-- One row per workflow effect already committed, e.g. `intro_opportunity.completed:<id>`.
-- A handler inserts its key first, in its fenced transaction, and does nothing when it exists.
CREATE TABLE IF NOT EXISTS workflow_once_keys (
  key text PRIMARY KEY,
  event_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The task runner claims due pending tasks oldest first.
CREATE INDEX IF NOT EXISTS agent_tasks_pending_due_idx ON agent_tasks (scheduled_for, task_type)
  WHERE status = 'pending';

-- Community routing looks for a similar open request of the last 7 days; the closing timer for expired ones.
CREATE INDEX IF NOT EXISTS community_requests_open_idx ON community_requests (created_at)
  WHERE status IN ('open', 'responses_received');

-- Competing intro opportunities are found by prospect.
CREATE INDEX IF NOT EXISTS intro_opportunities_prospect_idx ON intro_opportunities (prospect_id)
  WHERE prospect_id IS NOT NULL;

-- Every inbound text keeps its user's `last_active_at` and its conversation's `last_message_at`
-- current, whoever inserted it (the webhook, the chat command). Never moves them backwards.
CREATE OR REPLACE FUNCTION touch_activity_on_inbound() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET last_active_at = NEW.created_at
    WHERE id = NEW.user_id AND (last_active_at IS NULL OR last_active_at < NEW.created_at);
  UPDATE conversations SET last_message_at = NEW.created_at
    WHERE id = NEW.conversation_id AND (last_message_at IS NULL OR last_message_at < NEW.created_at);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS touch_activity_on_inbound ON messages;
CREATE TRIGGER touch_activity_on_inbound AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.direction = 'inbound' AND NEW.role = 'user')
  EXECUTE FUNCTION touch_activity_on_inbound();

-- Down Migration
-- DROP TRIGGER IF EXISTS touch_activity_on_inbound ON messages;
-- DROP FUNCTION IF EXISTS touch_activity_on_inbound();
-- DROP INDEX IF EXISTS intro_opportunities_prospect_idx;
-- DROP INDEX IF EXISTS community_requests_open_idx;
-- DROP INDEX IF EXISTS agent_tasks_pending_due_idx;
-- DROP TABLE IF EXISTS workflow_once_keys;
