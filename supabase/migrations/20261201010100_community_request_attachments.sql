-- Up Migration
-- A question `community.request_needed` attaches to a similar open request instead of routing it
-- again (`community.request_attached`). The attached members are told of every answer to that
-- request, like its requester; this table is who they are. Additive: no existing column changes.
CREATE TABLE IF NOT EXISTS community_request_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id uuid NOT NULL REFERENCES community_requests (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  question text,
  request_summary text,
  -- The `community.request_attached` event announcing it: one attachment per event.
  attached_event_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS community_request_attachments_request_idx
  ON community_request_attachments (request_id, user_id);

-- Attachments made before this table existed are in the bus: record them, so their members hear of
-- the answers that arrive from now on. Rows whose ids are not uuids or point nowhere are skipped.
INSERT INTO community_request_attachments (request_id, user_id, question, request_summary, attached_event_id, created_at)
SELECT (e.payload->>'requestId')::uuid, (e.payload->>'requestingUserId')::uuid,
       e.payload->>'question', e.payload->>'requestSummary', e.id, e.created_at
FROM events e
WHERE e.event_type = 'community.request_attached'
  AND e.payload->>'requestId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND e.payload->>'requestingUserId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND EXISTS (SELECT 1 FROM community_requests q WHERE q.id::text = lower(e.payload->>'requestId'))
  AND EXISTS (SELECT 1 FROM users u WHERE u.id::text = lower(e.payload->>'requestingUserId'))
ON CONFLICT (attached_event_id) DO NOTHING;

-- Down Migration
-- DROP TABLE IF EXISTS community_request_attachments;
