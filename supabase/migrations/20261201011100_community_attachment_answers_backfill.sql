-- Up Migration
-- One-off: a member whose attachment was recorded from the bus by 20261201010100 (attached before
-- `community_request_attachments` existed) heard of no answer given before that migration. Each
-- such answer becomes the same `community_response_available` task (high, due now) that tells of
-- every answer, so its checks, its once-key and the queue's rules (quiet hours, budgets, opt-out,
-- the request's subject) apply, and a member already told is not told again.
--
-- Only while the request is still open and not expired: the member is still waiting, and the answer
-- is at most the request's lifetime (7 days) old. A closed or expired request is settled; news of it
-- now, days or weeks late, would reopen a question the member has moved on from, so it gets nothing.
-- Only answers the workflows handled (`community.response_received` took its once-key): an answer
-- still on its way is told by its own event. Never the member's own answer, never its requester.
-- Running it again inserts nothing: a member with a notice task or once-key for the answer is skipped.
INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, priority, context_json, created_by)
SELECT 'community_response_available', 'account_manager', a.user_id, q.id, 'community_request', 'high',
       jsonb_build_object('requestId', q.id, 'responseId', r.id), 'workflows'
FROM (SELECT DISTINCT request_id, user_id FROM community_request_attachments) a
JOIN community_requests q ON q.id = a.request_id
JOIN community_responses r ON r.request_id = q.id
WHERE q.status IN ('open', 'responses_received')
  AND (q.expires_at IS NULL OR q.expires_at > now())
  AND q.requesting_user_id IS DISTINCT FROM a.user_id
  AND r.user_id <> a.user_id
  AND EXISTS (SELECT 1 FROM workflow_once_keys k WHERE k.key = 'community.response_received:' || r.id)
  AND NOT EXISTS (
    SELECT 1 FROM workflow_once_keys k WHERE k.key = 'community_response_available:' || r.id || ':' || a.user_id)
  AND NOT EXISTS (
    SELECT 1 FROM agent_tasks t
    WHERE t.task_type = 'community_response_available' AND t.user_id = a.user_id
      AND t.context_json->>'responseId' = r.id::text)
ORDER BY r.created_at, r.id;

-- Down Migration
-- Nothing to undo: the tasks it inserted are ordinary notice tasks.
