import type { Queryable } from '../database/database.service';

export interface CreditAward {
  userId: string;
  amount: number;
  /** `credit_events.event_type`, e.g. `intro_completed`. */
  eventType: string;
  referenceType: string;
  referenceId: string;
  /** Unique per award, e.g. `intro.completed:<intro id>:<user id>`: a second award is a no-op. */
  idempotencyKey: string;
  description: string;
}

/**
 * Credits move only through `credit_events` (unique idempotency_key); the cached
 * `users.credit_balance` changes in the same transaction, and only when the row was new, so the
 * balance always equals the sum of the ledger. True when credited now, false when already credited.
 */
export async function awardCredits(client: Queryable, award: CreditAward): Promise<boolean> {
  if (award.amount === 0) return false;
  const inserted = await client.query(
    `INSERT INTO credit_events (user_id, event_type, amount, reference_type, reference_id, idempotency_key,
       description, processed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, true)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    [
      award.userId,
      award.eventType,
      award.amount,
      award.referenceType,
      award.referenceId,
      award.idempotencyKey,
      award.description,
    ],
  );
  if (inserted.rowCount !== 1) return false;
  await client.query(`UPDATE users SET credit_balance = credit_balance + $2, updated_at = now() WHERE id = $1`, [
    award.userId,
    award.amount,
  ]);
  return true;
}
