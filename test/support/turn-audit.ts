import type { Pool } from 'pg';

/**
 * Test instrumentation: a trigger that records, with the database clock, when each claim token
 * started working on a user's messages and when it marked them done. From it a test can prove
 * that two turns of one user never overlapped, whichever processes ran them.
 */
export async function installTurnAudit(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS test_turn_audit (
      user_id uuid, message_id uuid, claim_token bigint, transition text, at timestamptz DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION test_turn_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.processing_state = 'processing' AND OLD.processing_state IS DISTINCT FROM 'processing'
         OR NEW.processing_state = 'processing' AND NEW.claim_token IS DISTINCT FROM OLD.claim_token THEN
        INSERT INTO test_turn_audit (user_id, message_id, claim_token, transition) VALUES (NEW.user_id, NEW.id, NEW.claim_token, 'claimed');
      ELSIF NEW.processing_state IN ('done', 'dead') AND OLD.processing_state = 'processing' THEN
        INSERT INTO test_turn_audit (user_id, message_id, claim_token, transition) VALUES (NEW.user_id, NEW.id, OLD.claim_token, NEW.processing_state);
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_turn_audit ON messages;
    CREATE TRIGGER test_turn_audit AFTER UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_turn_audit();
  `);
}

export interface TurnWindow {
  userId: string;
  token: string;
  start: Date;
  end: Date;
}

/** One window per claim token that finished work: first claim to last done-marker. */
export async function turnWindows(pool: Pool): Promise<TurnWindow[]> {
  const { rows } = await pool.query<{ user_id: string; token: string; start: Date; end: Date }>(`
    SELECT user_id, claim_token::text AS token,
           min(at) FILTER (WHERE transition = 'claimed') AS start,
           max(at) FILTER (WHERE transition IN ('done', 'dead')) AS "end"
    FROM test_turn_audit GROUP BY user_id, claim_token
    HAVING count(*) FILTER (WHERE transition IN ('done', 'dead')) > 0`);
  return rows.map((row) => ({ userId: row.user_id, token: row.token, start: row.start, end: row.end }));
}

/** Pairs of windows of the same user that overlap in time (must be empty). */
export function overlappingTurns(windows: TurnWindow[]): Array<[TurnWindow, TurnWindow]> {
  const byUser = new Map<string, TurnWindow[]>();
  for (const window of windows) byUser.set(window.userId, [...(byUser.get(window.userId) ?? []), window]);
  const overlaps: Array<[TurnWindow, TurnWindow]> = [];
  for (const list of byUser.values()) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime());
    for (let i = 1; i < list.length; i += 1) {
      if (list[i].start < list[i - 1].end) overlaps.push([list[i - 1], list[i]]);
    }
  }
  return overlaps;
}
