-- Up Migration
-- The cutover from the original processor. 20250101000100_processing_state marks every inbound row
-- that exists when it runs `done`, because the original processor answered texts as they arrived.
-- Rows it had not handled yet would be dropped by that: a `re_engagement_check` system row the
-- task processor wrote in the minutes before the cutover, a text that arrived while the original
-- processor was already stopped. They go back to `pending` here, and the engine handles them like
-- any other (the agents' own throttles still apply to re-engagement).
--
-- A row is reopened only when all of these hold:
-- - it was marked by that migration (done, never attempted, no outcome, no error, no claim), and
--   that migration ran within the last hour: on a database cut over long ago this does nothing,
--   so it never re-answers old texts (both files apply in one transaction at the first boot);
-- - it was written less than 24 hours before the cutover;
-- - the original processor left no trace of handling it: no outbound row in its conversation and
--   no agent_actions_log row of its user (every agent invocation is logged) written since.
UPDATE messages m SET processing_state = 'pending', processed_at = NULL
WHERE m.direction = 'inbound' AND m.processing_state = 'done'
  AND m.attempts = 0 AND m.outcome IS NULL AND m.last_error IS NULL AND m.claim_token IS NULL
  AND m.processed_at > now() - interval '1 hour'
  AND m.created_at > m.processed_at - interval '24 hours'
  AND NOT EXISTS (
    SELECT 1 FROM messages o
    WHERE o.conversation_id = m.conversation_id AND o.direction = 'outbound' AND o.created_at >= m.created_at)
  AND NOT EXISTS (
    SELECT 1 FROM agent_actions_log a WHERE a.user_id = m.user_id AND a.created_at >= m.created_at);

-- Down Migration (by hand only; see 20250101000100_processing_state.sql)
-- Nothing to undo: the rows are handled like any other pending row.
