import type { Queryable } from '../../database/database.service';
import type { EffectWriter } from './effect-writer';

/** Columns of the user's own `innovators` row the Innovator agent may write. Never `credits_balance`. */
export const INNOVATOR_WRITABLE_FIELDS = [
  'company_name',
  'solution_description',
  'categories',
  'target_customer_profile',
  'warm_intro_bounty',
] as const;
export type InnovatorWritableField = (typeof INNOVATOR_WRITABLE_FIELDS)[number];
export type InnovatorFieldValues = Partial<Record<InnovatorWritableField, string | string[] | number>>;

/** Connection requests whose bounty is promised but not settled: it is not available for another one. */
export const OPEN_REQUEST_STATUSES = ['open', 'presented', 'pending', 'accepted'] as const;

/**
 * Credits a user can still promise: the ledger (`credit_events`, the truth behind the cached
 * `users.credit_balance`) minus bounties held by their unsettled connection requests. `$1` is the user.
 */
export const AVAILABLE_CREDITS_SQL = `
  (SELECT COALESCE(SUM(amount), 0) FROM credit_events WHERE user_id = $1 AND processed)
  - (SELECT COALESCE(SUM(bounty_credits), 0) FROM connection_requests
     WHERE requestor_user_id = $1 AND status = ANY('{${OPEN_REQUEST_STATUSES.join(',')}}'::text[]))`;

export type InnovatorEffect =
  /** The innovator asks to meet a member; the bounty is held against their available credits. */
  | {
      type: 'create_connection_request';
      userId: string;
      connectionRequestId: string;
      introduceeUserId: string;
      requestorName: string | null;
      requestorCompany: string | null;
      introContext: string;
      bountyCredits: number;
    }
  | { type: 'update_innovator_profile'; userId: string; fields: InnovatorFieldValues }
  /** Only the token's hash is stored; the token itself goes to the user once, in the reply. */
  | { type: 'create_prospect_upload_link'; userId: string; linkId: string; tokenSha256: string; expiresAt: Date };

/** Thrown when the ledger moved between planning and commit: the engine retries the turn, which re-plans. */
export class InsufficientCreditsError extends Error {
  constructor() {
    super('the bounty exceeds the available credits');
    this.name = 'InsufficientCreditsError';
  }
}

/** The innovator family: connection requests, the innovator profile and prospect-upload links. */
export const INNOVATOR_WRITER: EffectWriter<InnovatorEffect> = {
  types: ['create_connection_request', 'update_innovator_profile', 'create_prospect_upload_link'],
  async apply(client: Queryable, effect: InnovatorEffect): Promise<void> {
    switch (effect.type) {
      case 'create_connection_request': {
        // The balance rule holds at commit too, not only when the agent planned (the ledger may have moved).
        const inserted = await client.query(
          `INSERT INTO connection_requests (id, introducee_user_id, requestor_user_id, requestor_name,
             requestor_company, intro_context, bounty_credits, status)
           SELECT $2, $3, $1, $4, $5, $6, $7, 'open'
           WHERE $7 = 0 OR (${AVAILABLE_CREDITS_SQL}) >= $7`,
          [
            effect.userId,
            effect.connectionRequestId,
            effect.introduceeUserId,
            effect.requestorName,
            effect.requestorCompany,
            effect.introContext,
            effect.bountyCredits,
          ],
        );
        if (inserted.rowCount === 0) throw new InsufficientCreditsError();
        return;
      }
      case 'update_innovator_profile': {
        // Column names come from the allow-list, never from input; the row is always the user's own.
        const entries = Object.entries(effect.fields).filter(([field]) =>
          (INNOVATOR_WRITABLE_FIELDS as readonly string[]).includes(field),
        );
        if (entries.length === 0) return;
        const columns = entries.map(([field]) => field);
        const values = entries.map(([, value]) => value);
        const placeholders = columns.map((_, index) => `$${index + 2}`).join(', ');
        const updates = columns.map((column) => `${column} = EXCLUDED.${column}`).join(', ');
        await client.query(
          `INSERT INTO innovators (user_id, ${columns.join(', ')}) VALUES ($1, ${placeholders})
           ON CONFLICT (user_id) DO UPDATE SET ${updates}, updated_at = now()`,
          [effect.userId, ...values],
        );
        return;
      }
      case 'create_prospect_upload_link':
        await client.query(
          `INSERT INTO prospect_upload_links (id, user_id, token_sha256, expires_at) VALUES ($1, $2, $3, $4)`,
          [effect.linkId, effect.userId, effect.tokenSha256, effect.expiresAt],
        );
        return;
    }
  },
};
