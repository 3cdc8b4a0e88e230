-- Up Migration
-- One answer per (request, member): a database that already holds several rows for the same
-- member and request (written before the unique index existed) cannot build
-- community_responses_request_user_key. Merge each such group into its oldest row, deterministically
-- (created_at, then id), then build the index. Idempotent: with no duplicates left it changes nothing.
--
-- The survivor keeps its own values and takes, from the others in (created_at, id) order, the first
-- non-empty answer, verbatim text, impact and close-the-loop note; the highest usefulness score and
-- credits; the earliest credit and close times; the furthest status (closed_loop > rewarded > provided).
-- Priorities that pointed at a removed row point at the survivor (or go, if the member already has
-- one for it); the request's responses_count is recounted. credit_events are history and stay as paid.
DROP TABLE IF EXISTS pg_temp.community_response_merge;
CREATE TEMPORARY TABLE community_response_merge AS
SELECT id AS duplicate_id,
       first_value(id) OVER (PARTITION BY request_id, user_id ORDER BY created_at, id) AS survivor_id
FROM community_responses
WHERE (request_id, user_id) IN (
  SELECT request_id, user_id FROM community_responses GROUP BY request_id, user_id HAVING count(*) > 1
);

DELETE FROM community_response_merge WHERE duplicate_id = survivor_id;

UPDATE community_responses s
SET response_text = COALESCE(s.response_text, m.response_text),
    verbatim_answer = COALESCE(s.verbatim_answer, m.verbatim_answer),
    impact_description = COALESCE(s.impact_description, m.impact_description),
    closed_loop_message = COALESCE(s.closed_loop_message, m.closed_loop_message),
    usefulness_score = GREATEST(s.usefulness_score, m.usefulness_score),
    credits_awarded = GREATEST(s.credits_awarded, m.credits_awarded),
    credited_at = LEAST(s.credited_at, m.credited_at),
    closed_loop_at = LEAST(s.closed_loop_at, m.closed_loop_at),
    status = CASE GREATEST(
                    CASE s.status WHEN 'closed_loop' THEN 2 WHEN 'rewarded' THEN 1 ELSE 0 END, m.status_rank)
               WHEN 2 THEN 'closed_loop' WHEN 1 THEN 'rewarded' ELSE s.status END
FROM (
  SELECT g.survivor_id,
         (array_agg(r.response_text ORDER BY r.created_at, r.id) FILTER (WHERE nullif(btrim(r.response_text), '') IS NOT NULL))[1] AS response_text,
         (array_agg(r.verbatim_answer ORDER BY r.created_at, r.id) FILTER (WHERE nullif(btrim(r.verbatim_answer), '') IS NOT NULL))[1] AS verbatim_answer,
         (array_agg(r.impact_description ORDER BY r.created_at, r.id) FILTER (WHERE nullif(btrim(r.impact_description), '') IS NOT NULL))[1] AS impact_description,
         (array_agg(r.closed_loop_message ORDER BY r.created_at, r.id) FILTER (WHERE r.closed_loop_message IS NOT NULL))[1] AS closed_loop_message,
         max(r.usefulness_score) AS usefulness_score,
         max(r.credits_awarded) AS credits_awarded,
         min(r.credited_at) AS credited_at,
         min(r.closed_loop_at) AS closed_loop_at,
         max(CASE r.status WHEN 'closed_loop' THEN 2 WHEN 'rewarded' THEN 1 ELSE 0 END) AS status_rank
  FROM community_response_merge g
  JOIN community_responses r ON r.id = g.duplicate_id
  GROUP BY g.survivor_id
) m
WHERE s.id = m.survivor_id;

UPDATE user_priorities p
SET item_id = moved.survivor_id, updated_at = now()
FROM (
  SELECT DISTINCT ON (p.user_id, g.survivor_id) p.id, g.survivor_id
  FROM user_priorities p
  JOIN community_response_merge g ON p.item_id = g.duplicate_id
  WHERE p.item_type = 'community_response'
    AND NOT EXISTS (
      SELECT 1 FROM user_priorities o
      WHERE o.user_id = p.user_id AND o.item_type = 'community_response' AND o.item_id = g.survivor_id
    )
  ORDER BY p.user_id, g.survivor_id, p.created_at, p.id
) moved
WHERE p.id = moved.id;

DELETE FROM user_priorities p
USING community_response_merge g
WHERE p.item_type = 'community_response' AND p.item_id = g.duplicate_id;

DELETE FROM community_responses r
USING community_response_merge g
WHERE r.id = g.duplicate_id;

UPDATE community_requests q
SET responses_count = (SELECT count(*) FROM community_responses r WHERE r.request_id = q.id)
WHERE q.id IN (
  SELECT DISTINCT r.request_id FROM community_responses r JOIN community_response_merge g ON g.survivor_id = r.id
)
  AND q.responses_count IS DISTINCT FROM (SELECT count(*) FROM community_responses r WHERE r.request_id = q.id);

CREATE UNIQUE INDEX IF NOT EXISTS community_responses_request_user_key
  ON community_responses (request_id, user_id);

DROP TABLE pg_temp.community_response_merge;

-- Down Migration
-- Merged duplicates cannot be restored; the index belongs to 20261201001000_community_response_once.
