-- Up Migration
-- What the realtime processor adds: processing state on inbound messages and events, claims with
-- leases and fencing tokens, exactly-once reply keys, and the notify triggers of the postgres feed.

-- Inbound messages: pending → processing → done | dead. NULL on outbound rows.
ALTER TABLE messages
  ADD COLUMN IF NOT EXISTS processing_state text,
  ADD COLUMN IF NOT EXISTS processed_at timestamptz,
  ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS last_error text,
  ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz,
  ADD COLUMN IF NOT EXISTS claim_token bigint,
  ADD COLUMN IF NOT EXISTS reply_to_message_id uuid REFERENCES messages (id) ON DELETE SET NULL,
  ADD COLUMN IF NOT EXISTS sequence_index integer;

-- Rows that existed before the processor did were answered by the old synchronous path.
UPDATE messages SET processing_state = 'done', processed_at = now()
  WHERE direction = 'inbound' AND processing_state IS NULL;

ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_processing_state_check;
ALTER TABLE messages ADD CONSTRAINT messages_processing_state_check
  CHECK (processing_state IN ('pending', 'processing', 'done', 'dead'));

-- One text per position of one reply turn: a second commit of the same turn cannot slip through.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_reply_sequence_unique;
ALTER TABLE messages ADD CONSTRAINT messages_reply_sequence_unique
  UNIQUE (reply_to_message_id, sequence_index);

CREATE INDEX IF NOT EXISTS messages_unfinished_idx ON messages (created_at)
  WHERE processing_state IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS messages_user_unfinished_idx ON messages (user_id, created_at)
  WHERE processing_state IN ('pending', 'processing');

-- Writers outside this service insert inbound rows without knowing our columns.
CREATE OR REPLACE FUNCTION messages_default_processing_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.direction = 'inbound' THEN
    NEW.processing_state := COALESCE(NEW.processing_state, 'pending');
  ELSE
    NEW.processing_state := NULL;
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS messages_default_processing_state ON messages;
CREATE TRIGGER messages_default_processing_state BEFORE INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_default_processing_state();

-- Events: the same states; `processed` stays true once done, for older readers.
ALTER TABLE events
  ADD COLUMN IF NOT EXISTS processing_state text,
  ADD COLUMN IF NOT EXISTS processed_at timestamptz,
  ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS last_error text,
  ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz,
  ADD COLUMN IF NOT EXISTS claim_token bigint,
  ADD COLUMN IF NOT EXISTS outcome text;

UPDATE events SET processing_state = CASE WHEN processed THEN 'done' ELSE 'pending' END
  WHERE processing_state IS NULL;

ALTER TABLE events ALTER COLUMN processing_state SET DEFAULT 'pending';
ALTER TABLE events ALTER COLUMN processing_state SET NOT NULL;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_processing_state_check;
ALTER TABLE events ADD CONSTRAINT events_processing_state_check
  CHECK (processing_state IN ('pending', 'processing', 'done', 'dead'));

CREATE OR REPLACE FUNCTION events_default_processing_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.processed THEN
    NEW.processing_state := 'done';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS events_default_processing_state ON events;
CREATE TRIGGER events_default_processing_state BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_default_processing_state();

CREATE INDEX IF NOT EXISTS events_unfinished_idx ON events (created_at)
  WHERE processing_state IN ('pending', 'processing');

-- Claims: one row per unit of exclusive work (a user's turn, an event, an aggregate).
-- `token` is a fencing token: a commit must present the current one, so a worker whose lease
-- expired and was taken over cannot commit.
CREATE SEQUENCE IF NOT EXISTS processing_claim_token_seq;
CREATE TABLE IF NOT EXISTS processing_claims (
  claim_key text PRIMARY KEY,
  token bigint NOT NULL,
  owner text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  lease_expires_at timestamptz NOT NULL
);
-- The catch-up sweep asks "is the claim behind this processing row still alive?" by token.
CREATE UNIQUE INDEX IF NOT EXISTS processing_claims_token_idx ON processing_claims (token);

-- Wake-ups for the postgres change feed: ids only, so a large payload never fails an INSERT
-- (the old notify_event sent the whole payload and hit the 8 kB NOTIFY limit).
CREATE OR REPLACE FUNCTION notify_inbound_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('inbound_messages',
    json_build_object('id', NEW.id, 'user_id', NEW.user_id)::text);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS notify_inbound_message ON messages;
CREATE TRIGGER notify_inbound_message AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.direction = 'inbound') EXECUTE FUNCTION notify_inbound_message();

CREATE OR REPLACE FUNCTION notify_agent_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('agent_events',
    json_build_object('id', NEW.id, 'event_type', NEW.event_type)::text);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS notify_agent_event ON events;
CREATE TRIGGER notify_agent_event AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION notify_agent_event();

-- Supabase Realtime reads changes from this publication; plain PostgreSQL does not have it.
DO $$
DECLARE t text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
    FOREACH t IN ARRAY ARRAY['messages', 'events'] LOOP
      IF NOT EXISTS (SELECT 1 FROM pg_publication_tables
                     WHERE pubname = 'supabase_realtime' AND schemaname = 'public' AND tablename = t) THEN
        EXECUTE format('ALTER PUBLICATION supabase_realtime ADD TABLE public.%I', t);
      END IF;
    END LOOP;
  END IF;
END $$;

-- Rollback, by hand only. Not a node-pg-migrate down section: the Supabase CLI executes a
-- migration file in full, so any down SQL here would undo the file as soon as it is applied.
-- Roll forward with a new migration instead.
-- DROP TRIGGER IF EXISTS notify_agent_event ON events;
-- DROP FUNCTION IF EXISTS notify_agent_event();
-- DROP TRIGGER IF EXISTS notify_inbound_message ON messages;
-- DROP FUNCTION IF EXISTS notify_inbound_message();
-- DROP TABLE IF EXISTS processing_claims;
-- DROP SEQUENCE IF EXISTS processing_claim_token_seq;
-- DROP TRIGGER IF EXISTS events_default_processing_state ON events;
-- DROP FUNCTION IF EXISTS events_default_processing_state();
-- DROP TRIGGER IF EXISTS messages_default_processing_state ON messages;
-- DROP FUNCTION IF EXISTS messages_default_processing_state();
-- ALTER TABLE events DROP COLUMN IF EXISTS processing_state, DROP COLUMN IF EXISTS processed_at,
--   DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS last_error, DROP COLUMN IF EXISTS next_attempt_at,
--   DROP COLUMN IF EXISTS claim_token, DROP COLUMN IF EXISTS outcome;
-- ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_reply_sequence_unique;
-- ALTER TABLE messages DROP COLUMN IF EXISTS processing_state, DROP COLUMN IF EXISTS processed_at,
--   DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS last_error, DROP COLUMN IF EXISTS next_attempt_at,
--   DROP COLUMN IF EXISTS claim_token, DROP COLUMN IF EXISTS reply_to_message_id,
--   DROP COLUMN IF EXISTS sequence_index;
