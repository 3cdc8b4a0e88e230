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

-- Down Migration
-- DROP INDEX IF EXISTS intro_opportunities_prospect_idx;
-- DROP INDEX IF EXISTS community_requests_open_idx;
-- DROP INDEX IF EXISTS agent_tasks_pending_due_idx;
-- DROP TABLE IF EXISTS workflow_once_keys;
