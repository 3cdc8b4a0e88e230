import type { Queryable } from '../database/database.service';
import type { ConsentChange } from './consent.types';

export const OPTED_OUT_REASON = 'the user opted out of texts (STOP)';

/**
 * Applies a consent change inside the caller's (fenced) transaction. Opting out keeps the first
 * opt-out time and cancels every text still queued for the user; opting in clears it.
 */
export async function applyConsentChange(client: Queryable, consent: ConsentChange): Promise<void> {
  if (consent.change === 'opt_out') {
    await client.query(
      `UPDATE users SET opted_out_at = COALESCE(opted_out_at, now()), updated_at = now() WHERE id = $1`,
      [consent.userId],
    );
    await client.query(
      `UPDATE message_queue SET status = 'cancelled', status_reason = $2 WHERE user_id = $1 AND status = 'queued'`,
      [consent.userId, OPTED_OUT_REASON],
    );
  } else {
    await client.query(`UPDATE users SET opted_out_at = NULL, updated_at = now() WHERE id = $1`, [consent.userId]);
  }
}
