-- Up Migration
-- What a queued text is about, so a newer text on the same subject supersedes an older one.
ALTER TABLE message_queue ADD COLUMN IF NOT EXISTS subject text;
CREATE INDEX IF NOT EXISTS message_queue_user_subject_idx ON message_queue (user_id, subject)
  WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS message_queue_due_idx ON message_queue (scheduled_for) WHERE status = 'queued';

-- Down Migration
-- DROP INDEX IF EXISTS message_queue_due_idx;
-- DROP INDEX IF EXISTS message_queue_user_subject_idx;
-- ALTER TABLE message_queue DROP COLUMN IF EXISTS subject;
