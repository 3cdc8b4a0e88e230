import type pg from 'pg';
import { turnWindows, type TurnWindow } from '../../test/support/turn-audit.ts';

export interface InvariantReport {
  messagesIn: number;
  messagesDone: number;
  messagesDead: number;
  eventsIn: number;
  eventsDone: number;
  eventsDead: number;
  duplicates: number;
  lost: number;
  maxTurnsOfOneUserAtOnce: number;
}

/** Test instrumentation for events: every transition to done, to count double handling. */
export async function installEventAudit(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS chaos_event_audit (event_id uuid, at timestamptz DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION chaos_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.processing_state = 'done' AND OLD.processing_state <> 'done' THEN
        INSERT INTO chaos_event_audit (event_id) VALUES (NEW.id);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER chaos_event_audit AFTER UPDATE ON events FOR EACH ROW EXECUTE FUNCTION chaos_event_audit();`);
}

/** The most turns of one user that were ever in flight at the same moment. */
function maxConcurrency(windows: TurnWindow[]): number {
  const byUser = new Map<string, Array<[number, number]>>();
  for (const window of windows) {
    const points = byUser.get(window.userId) ?? [];
    points.push([window.start.getTime(), 1], [window.end.getTime(), -1]);
    byUser.set(window.userId, points);
  }
  let max = 0;
  for (const points of byUser.values()) {
    // Ends sort before starts at the same instant: a turn that begins as another commits is not overlap.
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let current = 0;
    for (const [, delta] of points) {
      current += delta;
      max = Math.max(max, current);
    }
  }
  return max;
}

export async function checkInvariants(pool: pg.Pool): Promise<InvariantReport> {
  const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
  const messagesIn = await count(`SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'`);
  const messagesDone = await count(
    `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'done'`,
  );
  const messagesDead = await count(
    `SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND processing_state = 'dead'`,
  );
  const eventsIn = await count(`SELECT count(*)::int AS n FROM events`);
  const eventsDone = await count(`SELECT count(*)::int AS n FROM events WHERE processing_state = 'done'`);
  const eventsDead = await count(`SELECT count(*)::int AS n FROM events WHERE processing_state = 'dead'`);
  const duplicateMessages = await count(
    `SELECT count(*)::int AS n FROM (SELECT message_id FROM test_turn_audit WHERE transition = 'done' GROUP BY message_id HAVING count(*) > 1) d`,
  );
  const duplicateEvents = await count(
    `SELECT count(*)::int AS n FROM (SELECT event_id FROM chaos_event_audit GROUP BY event_id HAVING count(*) > 1) d`,
  );
  return {
    messagesIn,
    messagesDone,
    messagesDead,
    eventsIn,
    eventsDone,
    eventsDead,
    duplicates: duplicateMessages + duplicateEvents,
    lost: messagesIn - messagesDone - messagesDead + (eventsIn - eventsDone - eventsDead),
    maxTurnsOfOneUserAtOnce: maxConcurrency(await turnWindows(pool)),
  };
}
