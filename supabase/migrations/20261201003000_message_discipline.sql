-- Up Migration
-- Message discipline: SMS opt-out, the dispatcher's bookkeeping on queued texts, one outbound row
-- per queued text at most, and the wake-up channel of the dispatcher.

-- STOP sets it, START clears it; a user with it set gets no proactive text and no agent turn.
ALTER TABLE users ADD COLUMN IF NOT EXISTS opted_out_at timestamptz;

-- Why a queued text ended `cancelled` or `failed` (or why it is held), and how many dispatch
-- attempts failed on an unexpected error (the text fails after a few, so it never blocks the queue).
ALTER TABLE message_queue
  ADD COLUMN IF NOT EXISTS status_reason text,
  ADD COLUMN IF NOT EXISTS dispatch_attempts integer NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS message_queue_user_due_idx ON message_queue (user_id, scheduled_for)
  WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS message_queue_sequence_idx ON message_queue (sequence_id)
  WHERE sequence_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS message_queue_user_sent_idx ON message_queue (user_id, sent_at)
  WHERE status = 'sent';

-- The outbound row a queued text became. Unique: a queued text is sent at most once, whatever
-- the dispatchers do.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS queue_message_id uuid REFERENCES message_queue (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX IF NOT EXISTS messages_queue_message_unique ON messages (queue_message_id)
  WHERE queue_message_id IS NOT NULL;

-- Wake-up of the dispatcher when a text is queued, re-queued or moved earlier. No payload: the
-- dispatcher reads the table, and PostgreSQL folds identical notifications of one transaction.
CREATE OR REPLACE FUNCTION notify_message_queue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('message_queue', '');
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS notify_message_queue_insert ON message_queue;
CREATE TRIGGER notify_message_queue_insert AFTER INSERT ON message_queue
  FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION notify_message_queue();
DROP TRIGGER IF EXISTS notify_message_queue_update ON message_queue;
CREATE TRIGGER notify_message_queue_update AFTER UPDATE OF status, scheduled_for ON message_queue
  FOR EACH ROW WHEN (NEW.status = 'queued'
    AND (OLD.status IS DISTINCT FROM 'queued' OR NEW.scheduled_for < OLD.scheduled_for))
  EXECUTE FUNCTION notify_message_queue();

-- Rollback, by hand only (see 20250101000100_processing_state.sql for why there is no down section).
-- DROP TRIGGER IF EXISTS notify_message_queue_update ON message_queue;
-- DROP TRIGGER IF EXISTS notify_message_queue_insert ON message_queue;
-- DROP FUNCTION IF EXISTS notify_message_queue();
-- DROP INDEX IF EXISTS messages_queue_message_unique;
-- ALTER TABLE messages DROP COLUMN IF EXISTS queue_message_id;
-- DROP INDEX IF EXISTS message_queue_user_sent_idx;
-- DROP INDEX IF EXISTS message_queue_sequence_idx;
-- DROP INDEX IF EXISTS message_queue_user_due_idx;
-- ALTER TABLE message_queue DROP COLUMN IF EXISTS dispatch_attempts, DROP COLUMN IF EXISTS status_reason;
-- ALTER TABLE users DROP COLUMN IF EXISTS opted_out_at;
