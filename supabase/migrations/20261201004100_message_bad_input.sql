-- Up Migration
-- Why a finished inbound row has no reply: `outcome` is 'replied', 'no_reply' or 'skipped: <reason>'
-- on done rows and 'dead' on dead ones (the reason is in last_error), like events.outcome.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS outcome text;

-- Direction is matched case-insensitively: 'INBOUND' or 'Inbound' from another writer is an
-- inbound text, normalised before the row is stored, so the feeds, the sweep and the claims see
-- it like any other. Anything else that is not 'outbound' is left as written and never processed.
CREATE OR REPLACE FUNCTION messages_default_processing_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF lower(NEW.direction) IN ('inbound', 'outbound') THEN
    NEW.direction := lower(NEW.direction);
  END IF;
  IF NEW.direction = 'inbound' THEN
    NEW.processing_state := COALESCE(NEW.processing_state, 'pending');
  ELSE
    NEW.processing_state := NULL;
  END IF;
  RETURN NEW;
END $$;

-- Down Migration (by hand only; see 20250101000100_processing_state.sql)
-- CREATE OR REPLACE FUNCTION messages_default_processing_state() RETURNS trigger
-- LANGUAGE plpgsql AS $$
-- BEGIN
--   IF NEW.direction = 'inbound' THEN
--     NEW.processing_state := COALESCE(NEW.processing_state, 'pending');
--   ELSE
--     NEW.processing_state := NULL;
--   END IF;
--   RETURN NEW;
-- END $$;
-- ALTER TABLE messages DROP COLUMN IF EXISTS outcome;
