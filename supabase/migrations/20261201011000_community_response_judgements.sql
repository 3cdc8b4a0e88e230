-- Up Migration
-- How useful an answer was, in the words of a member who attached their own question to the
-- request and was told of the answer (`process_community_response` with that member as the task's
-- user). The requester's judgement stays on `community_responses` (usefulness_score,
-- impact_description) as before; these rows never overwrite it. One row per answer and member: a
-- member who judges again replaces their score. Additive: no existing column changes.
CREATE TABLE IF NOT EXISTS community_response_judgements (
  response_id uuid NOT NULL REFERENCES community_responses (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  usefulness_score integer NOT NULL CHECK (usefulness_score BETWEEN 1 AND 10),
  impact_description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (response_id, user_id)
);

-- Down Migration
-- DROP TABLE IF EXISTS community_response_judgements;
