-- Up Migration
-- The operator's reads of dead items (the backlog metrics every few seconds, `ops dead list`)
-- stay cheap however large the tables grow: dead rows are few, so these indexes are small.
CREATE INDEX IF NOT EXISTS messages_dead_idx ON messages (processed_at) WHERE processing_state = 'dead';
CREATE INDEX IF NOT EXISTS events_dead_idx ON events (processed_at) WHERE processing_state = 'dead';

-- Down Migration
-- DROP INDEX IF EXISTS events_dead_idx;
-- DROP INDEX IF EXISTS messages_dead_idx;
