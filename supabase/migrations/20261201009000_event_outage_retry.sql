-- Up Migration
-- Events get the retry bookkeeping texts have (see 20261201004200_outage_retry.sql): a database or
-- model outage or a configuration error is not the event's fault and never dead-letters it.
-- `first_failed_at` is when the event's current run of failures began (an outage's retry budget is
-- counted from it); `charged_failures` counts only the failures charged to the event itself (an
-- error on healthy infrastructure), which alone dead-letter it after MAX_ATTEMPTS.
ALTER TABLE events
  ADD COLUMN IF NOT EXISTS first_failed_at timestamptz,
  ADD COLUMN IF NOT EXISTS charged_failures integer NOT NULL DEFAULT 0;

-- Down Migration (by hand only; see 20250101000100_processing_state.sql)
-- ALTER TABLE events DROP COLUMN IF EXISTS charged_failures, DROP COLUMN IF EXISTS first_failed_at;
