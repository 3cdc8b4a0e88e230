import type { Pool, PoolClient } from 'pg';

/** A lock on `processing_claims` that holds every claim, renewal, fence and release until let go. */
export interface ClaimsLock {
  /** Statements other than lease renewals waiting on the lock right now (fences and releases). */
  waitingCommits(): Promise<number>;
  release(): Promise<void>;
}

/**
 * Locks the claims table (EXCLUSIVE: reads pass, writes and FOR UPDATE wait). The chaos run and
 * the fencing test use it to hold a thawed worker's lease renewal, so that its late commit
 * reaches the fence before the renewal can tell it the claim is gone: the fence alone must refuse
 * that commit. Also a fault of its own: every instance's claims queue up on their pools.
 */
export async function lockClaims(pool: Pool, waitMs = 2000): Promise<ClaimsLock> {
  const client: PoolClient = await pool.connect();
  client.on('error', () => undefined);
  try {
    await client.query('BEGIN');
    // A transaction frozen mid-write (SIGSTOP) holds the table; give up rather than queue everyone behind it.
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
    await client.query('LOCK TABLE processing_claims IN EXCLUSIVE MODE');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw error;
  }
  let released = false;
  return {
    async waitingCommits() {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%processing_claims%'
           AND query NOT ILIKE '%SET lease_expires_at%'`,
      );
      return rows[0].n;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('COMMIT');
        client.release();
      } catch {
        client.release(true);
      }
    },
  };
}
