-- Up Migration
-- Tokenised prospect-upload links the Innovator agent hands out. Only the token's SHA-256 is stored:
-- the upload page hashes the token it receives and accepts it while unexpired and unused.
CREATE TABLE IF NOT EXISTS prospect_upload_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_sha256 text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS prospect_upload_links_user_idx ON prospect_upload_links (user_id, expires_at);

-- Down Migration
-- DROP TABLE IF EXISTS prospect_upload_links;
