import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DatabaseService, type Queryable } from '../database/database.service';

/**
 * Claims in `processing_claims`: one row per unit of exclusive work. Taking a claim succeeds when
 * nobody holds it or the holder's lease expired; every take gets a new fencing token, and a
 * commit must present the current token (see `fence`), so a worker that lost its claim cannot
 * commit anything.
 */
@Injectable()
export class ClaimRepository {
  /** TEST_BREAK_FENCE: the test-only switch that proves the chaos run sees a broken fence. */
  private readonly fenceBroken: boolean;

  constructor(
    private readonly database: DatabaseService,
    config: ConfigService<Environment, true>,
  ) {
    this.fenceBroken = config.get('TEST_BREAK_FENCE', { infer: true }) === true;
  }

  /** The new token, or null while someone else holds a live lease. */
  async take(client: Queryable, key: string, owner: string, leaseMs: number): Promise<string | null> {
    const result = await client.query<{ token: string }>(
      `INSERT INTO processing_claims (claim_key, token, owner, lease_expires_at)
       VALUES ($1, nextval('processing_claim_token_seq'), $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (claim_key) DO UPDATE
         SET token = EXCLUDED.token, owner = EXCLUDED.owner, claimed_at = now(),
             lease_expires_at = EXCLUDED.lease_expires_at
         WHERE processing_claims.lease_expires_at < now()
       RETURNING token::text`,
      [key, owner, leaseMs],
    );
    return result.rows[0]?.token ?? null;
  }

  /** Locks the claim for the rest of the transaction; false when the token is no longer current. */
  async fence(client: Queryable, key: string, token: string): Promise<boolean> {
    if (this.fenceBroken) return true;
    const result = await client.query(
      `SELECT 1 FROM processing_claims WHERE claim_key = $1 AND token = $2 FOR UPDATE`,
      [key, token],
    );
    return result.rowCount === 1;
  }

  /**
   * The fence's second half: a commit's done-marker must have updated exactly the rows its claim
   * took; fewer means another worker took some over, and the commit must roll back as stale.
   */
  markedAll(updated: number | null, claimed: number): boolean {
    return this.fenceBroken || updated === claimed;
  }

  async release(client: Queryable, key: string, token: string): Promise<void> {
    await client.query(`DELETE FROM processing_claims WHERE claim_key = $1 AND token = $2`, [key, token]);
  }

  /** Extends a live claim; false when it was lost (taken over after expiry). */
  async renew(key: string, token: string, leaseMs: number): Promise<boolean> {
    const rows = await this.database.query(
      `UPDATE processing_claims SET lease_expires_at = now() + $3 * interval '1 millisecond'
       WHERE claim_key = $1 AND token = $2 RETURNING 1`,
      [key, token, leaseMs],
    );
    return rows.length === 1;
  }
}
