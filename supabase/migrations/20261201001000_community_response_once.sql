-- Up Migration
-- A member answers a community request once: record_community_response dedupes per (request, user),
-- and this index makes a concurrent duplicate a no-op (INSERT ... ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX IF NOT EXISTS community_responses_request_user_key
  ON community_responses (request_id, user_id);

-- Down Migration
-- DROP INDEX IF EXISTS community_responses_request_user_key;
