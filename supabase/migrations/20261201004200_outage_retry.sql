-- Up Migration
-- Retry bookkeeping that tells an outage from a text that fails on its own:
-- `first_failed_at` is when the text's current run of failures began (an outage's retry budget is
-- counted from it, and at most one holding text is queued per user per run); `charged_failures`
-- counts only the failures charged to the text itself (unusable model output, a rejected request),
-- which alone can make it dead after MAX_ATTEMPTS. `attempts` still counts every try.
ALTER TABLE messages
  ADD COLUMN IF NOT EXISTS first_failed_at timestamptz,
  ADD COLUMN IF NOT EXISTS charged_failures integer NOT NULL DEFAULT 0;

-- Down Migration (by hand only; see 20250101000100_processing_state.sql)
-- ALTER TABLE messages DROP COLUMN IF EXISTS charged_failures, DROP COLUMN IF EXISTS first_failed_at;
