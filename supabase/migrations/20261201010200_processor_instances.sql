-- Up Migration
-- Which processor instances are alive, for claim affinity (CLAIM_AFFINITY, see
-- docs/architecture.md): every instance upserts its row each INSTANCE_HEARTBEAT_MS, and an
-- instance whose heartbeat is older than three periods is gone. A wake-up about a user is acted on
-- at once only by the user's owner among the live instances (rendezvous hashing); the catch-up
-- sweep still lets anyone take a text that has waited longer than CLAIM_AFFINITY_GRACE_MS. Only
-- who tries first depends on this table: claims and their fencing tokens decide as before.
-- Liveness is judged on the database's clock, so the instances' clocks never matter.
CREATE TABLE IF NOT EXISTS processor_instances (
  instance_id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration (by hand only; see 20250101000100_processing_state.sql)
-- DROP TABLE IF EXISTS processor_instances;
