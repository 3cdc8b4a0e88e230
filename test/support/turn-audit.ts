import type { Pool } from 'pg';

/**
 * Test instrumentation: triggers that record, with the database clock and the writing
 * transaction's id, every claim taken and given up (`processing_claims`), every state change of
 * an inbound message with the claim token behind it, and every reply inserted. From them a test
 * can tell which claim token wrote which reply, and so see a double answer that no unique key
 * catches (see `auditReplies`).
 */
export async function installTurnAudit(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS test_turn_audit (
      user_id uuid, message_id uuid, claim_token bigint, transition text,
      txid bigint DEFAULT txid_current(), at timestamptz DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION test_turn_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.processing_state = 'processing' AND OLD.processing_state IS DISTINCT FROM 'processing'
         OR NEW.processing_state = 'processing' AND NEW.claim_token IS DISTINCT FROM OLD.claim_token THEN
        INSERT INTO test_turn_audit (user_id, message_id, claim_token, transition) VALUES (NEW.user_id, NEW.id, NEW.claim_token, 'claimed');
      ELSIF NEW.processing_state IN ('done', 'dead') AND OLD.processing_state = 'processing' THEN
        INSERT INTO test_turn_audit (user_id, message_id, claim_token, transition) VALUES (NEW.user_id, NEW.id, OLD.claim_token, NEW.processing_state);
      ELSIF NEW.processing_state = 'pending' AND OLD.processing_state = 'processing' THEN
        INSERT INTO test_turn_audit (user_id, message_id, claim_token, transition) VALUES (NEW.user_id, NEW.id, OLD.claim_token, 'released');
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_turn_audit ON messages;
    CREATE TRIGGER test_turn_audit AFTER UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION test_turn_audit();

    CREATE TABLE IF NOT EXISTS test_reply_audit (
      message_id uuid, user_id uuid, reply_to_message_id uuid,
      txid bigint DEFAULT txid_current(), at timestamptz DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION test_reply_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.direction = 'outbound' THEN
        INSERT INTO test_reply_audit (message_id, user_id, reply_to_message_id) VALUES (NEW.id, NEW.user_id, NEW.reply_to_message_id);
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_reply_audit ON messages;
    CREATE TRIGGER test_reply_audit AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_reply_audit();

    CREATE TABLE IF NOT EXISTS test_claim_audit (
      claim_key text, token bigint, transition text,
      txid bigint DEFAULT txid_current(), at timestamptz DEFAULT clock_timestamp()
    );
    CREATE OR REPLACE FUNCTION test_claim_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND (TG_OP = 'DELETE' OR NEW.token IS DISTINCT FROM OLD.token) THEN
        INSERT INTO test_claim_audit (claim_key, token, transition) VALUES (OLD.claim_key, OLD.token, 'ended');
      END IF;
      IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' AND NEW.token IS DISTINCT FROM OLD.token THEN
        INSERT INTO test_claim_audit (claim_key, token, transition) VALUES (NEW.claim_key, NEW.token, 'taken');
      END IF;
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS test_claim_audit ON processing_claims;
    CREATE TRIGGER test_claim_audit AFTER INSERT OR UPDATE OR DELETE ON processing_claims
      FOR EACH ROW EXECUTE FUNCTION test_claim_audit();
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

/** The replies one transaction inserted for one user: what the user received from one commit. */
export interface ReplyGroup {
  txid: string;
  userId: string | null;
  replyTo: string;
  at: Date;
  /** The claim tokens that marked inbound texts done or dead in the same transaction. */
  committedBy: string[];
  /** The token that wrote the group: its one committer, else the stale token it is traced to. */
  writer: string | null;
  /** The inbound texts this group answers. */
  covers: string[];
}

export interface ReplyAudit {
  groups: ReplyGroup[];
  /** Groups that no single committed claim token wrote: none (a token that committed nothing), or several. */
  groupsWithoutOneToken: ReplyGroup[];
  /** Inbound texts answered by more than one reply group. */
  doubleAnswered: string[];
  /**
   * Inbound texts lost: not in a terminal state, or done/dead with neither a reply group nor a
   * recorded reason for answering nothing (the row's outcome or error, or a log row naming it),
   * or marked `replied` with no reply group answering it.
   */
  lost: Array<{ id: string; state: string; why: string }>;
  /** Attempts on one claim key whose windows overlap, abandoned attempts included. */
  overlaps: Array<{ key: string; first: string; second: string }>;
}

interface Transition {
  message_id: string;
  claim_token: string | null;
  transition: string;
  txid: string;
  at: Date;
}

/**
 * The invariants that can see a double answer. A reply group is tied to the claim token that
 * marked texts done in the same transaction; a group written by a token that committed nothing
 * (a stale worker past a broken fence) is traced to the last token that claimed its reply-to text
 * and never committed, and covers the texts that token claimed. Then every group must have
 * exactly one committing token, every text must be covered by at most one group, and every text
 * must end terminal with a reply or a logged reason.
 */
export async function auditReplies(pool: Pool): Promise<ReplyAudit> {
  const groupRows = await pool.query<{ txid: string; user_id: string | null; reply_to: string; at: Date }>(`
    SELECT txid::text, user_id, (array_agg(reply_to_message_id))[1] AS reply_to, min(at) AS at
    FROM test_reply_audit WHERE reply_to_message_id IS NOT NULL
    GROUP BY txid, user_id ORDER BY min(at)`);
  const transitions = (
    await pool.query<Transition>(
      `SELECT message_id, claim_token::text, transition, txid::text, at FROM test_turn_audit ORDER BY at`,
    )
  ).rows;
  const inbound = (
    await pool.query<{ id: string; processing_state: string; outcome: string | null; last_error: string | null }>(
      `SELECT id, processing_state, outcome, last_error FROM messages WHERE direction = 'inbound'`,
    )
  ).rows;
  // A logged reason for answering nothing: a log row naming the text, with an error or a reason.
  const reasoned = new Set(
    (
      await pool.query<{ id: string }>(`
        SELECT DISTINCT jsonb_array_elements_text(input_data -> 'message_ids') AS id FROM agent_actions_log
        WHERE jsonb_typeof(input_data -> 'message_ids') = 'array' AND (error IS NOT NULL OR output_data ? 'reason')`)
    ).rows.map((row) => row.id),
  );

  // When each token's claim ended (released, or taken over), from the claims table's audit.
  const endedAt = new Map(
    (
      await pool.query<{ token: string; at: Date }>(
        `SELECT token::text, min(at) AS at FROM test_claim_audit WHERE transition = 'ended' GROUP BY token`,
      )
    ).rows.map((row) => [row.token, row.at]),
  );
  const committedByTx = new Map<string, Transition[]>();
  const claimedBy = new Map<string, Set<string>>();
  const committedTokens = new Set<string>();
  const claimsOf = new Map<string, Transition[]>();
  for (const row of transitions) {
    if (row.claim_token === null) continue;
    if (row.transition === 'claimed') {
      claimedBy.set(row.claim_token, (claimedBy.get(row.claim_token) ?? new Set()).add(row.message_id));
      const claims = claimsOf.get(row.message_id) ?? [];
      claims.push(row);
      claimsOf.set(row.message_id, claims);
    } else if (row.transition === 'done' || row.transition === 'dead') {
      const marks = committedByTx.get(row.txid) ?? [];
      marks.push(row);
      committedByTx.set(row.txid, marks);
      committedTokens.add(row.claim_token);
    }
  }

  const groups: ReplyGroup[] = groupRows.rows.map((row) => {
    const marks = committedByTx.get(row.txid) ?? [];
    const committedBy = [...new Set(marks.map((mark) => mark.claim_token as string))];
    if (committedBy.length > 0) {
      const covers = marks.map((mark) => mark.message_id);
      return {
        txid: row.txid,
        userId: row.user_id,
        replyTo: row.reply_to,
        at: row.at,
        committedBy,
        writer: committedBy[0],
        covers,
      };
    }
    // Prefer a token that had already lost its claim when the group was written: the stale one.
    const candidates = (claimsOf.get(row.reply_to) ?? []).filter(
      (claim) => claim.at <= row.at && !committedTokens.has(claim.claim_token as string),
    );
    const lostBefore = candidates.filter((claim) => (endedAt.get(claim.claim_token as string) ?? row.at) < row.at);
    const writer = (lostBefore.pop() ?? candidates.pop())?.claim_token ?? null;
    const covers = writer ? [...(claimedBy.get(writer) ?? [])] : [row.reply_to];
    return { txid: row.txid, userId: row.user_id, replyTo: row.reply_to, at: row.at, committedBy, writer, covers };
  });

  const coverCount = new Map<string, number>();
  for (const group of groups) {
    for (const id of new Set(group.covers)) coverCount.set(id, (coverCount.get(id) ?? 0) + 1);
  }
  const lost: ReplyAudit['lost'] = [];
  for (const row of inbound) {
    const answered = coverCount.has(row.id);
    if (row.processing_state !== 'done' && row.processing_state !== 'dead') {
      lost.push({ id: row.id, state: row.processing_state, why: 'not terminal' });
    } else if (row.outcome === 'replied' && !answered) {
      lost.push({ id: row.id, state: row.processing_state, why: 'marked replied, but no reply answers it' });
    } else if (!answered && !reasoned.has(row.id) && !hasReason(row)) {
      lost.push({ id: row.id, state: row.processing_state, why: 'no reply and no recorded reason' });
    }
  }

  return {
    groups,
    groupsWithoutOneToken: groups.filter((group) => group.committedBy.length !== 1),
    doubleAnswered: [...coverCount].filter(([, count]) => count > 1).map(([id]) => id),
    lost,
    overlaps: await overlappingAttempts(pool, groups),
  };
}

/** A finished text that says why it has no reply: its outcome (no_reply, skipped: …) or its error. */
function hasReason(row: { processing_state: string; outcome: string | null; last_error: string | null }): boolean {
  if (row.processing_state === 'dead') return row.last_error !== null;
  return row.outcome !== null && row.outcome !== 'replied';
}

/**
 * Every attempt's window on its claim key, abandoned ones included: from taking the claim to the
 * later of giving it up (released, committed, or taken over after its lease) and its last write.
 * A stale worker that writes after its claim was taken over stretches its window over the new
 * owner's.
 */
async function overlappingAttempts(pool: Pool, groups: ReplyGroup[]): Promise<ReplyAudit['overlaps']> {
  const { rows } = await pool.query<{ claim_key: string; token: string; start: Date | null; end: Date | null }>(`
    WITH writes AS (
      SELECT claim_token, max(at) AS at FROM test_turn_audit WHERE claim_token IS NOT NULL GROUP BY claim_token)
    SELECT c.claim_key, c.token::text AS token,
           min(c.at) FILTER (WHERE c.transition = 'taken') AS start,
           greatest(max(c.at) FILTER (WHERE c.transition = 'ended'), max(w.at)) AS "end"
    FROM test_claim_audit c LEFT JOIN writes w ON w.claim_token = c.token
    GROUP BY c.claim_key, c.token`);
  const lastWrite = new Map<string, Date>();
  for (const group of groups) {
    if (group.writer && (lastWrite.get(group.writer) ?? group.at) <= group.at) lastWrite.set(group.writer, group.at);
  }
  const byKey = new Map<string, Array<{ token: string; start: Date; end: Date }>>();
  for (const row of rows) {
    if (!row.start) continue;
    // Never given up: held to the end of the run (nobody took the key over, or it would have ended).
    let end = row.end ?? new Date(8.64e15);
    const written = lastWrite.get(row.token);
    if (written && written > end) end = written;
    const list = byKey.get(row.claim_key) ?? [];
    list.push({ token: row.token, start: row.start, end });
    byKey.set(row.claim_key, list);
  }
  const overlaps: ReplyAudit['overlaps'] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime());
    let latest = list[0];
    for (const window of list.slice(1)) {
      if (window.start < latest.end) overlaps.push({ key, first: latest.token, second: window.token });
      if (window.end > latest.end) latest = window;
    }
  }
  return overlaps;
}
