import type { Queryable } from '../../database/database.service';
import type { EffectWriter } from './effect-writer';

/** Columns of `users` an agent may write. Never `verified` or `poc_agent_type`: promotion is manual. */
export const USER_WRITABLE_FIELDS = [
  'first_name',
  'last_name',
  'company',
  'title',
  'email',
  'linkedin_url',
  'expertise',
  'referred_by',
  'name_dropped',
] as const;
export type UserWritableField = (typeof USER_WRITABLE_FIELDS)[number];

export type UserFieldsEffect =
  | {
      type: 'update_user_fields';
      userId: string;
      fields: Partial<Record<UserWritableField, string | string[] | null>>;
    }
  /** The member's goal, kept in `response_pattern.user_goal` (`store_user_goal`). */
  | { type: 'store_user_goal'; userId: string; goal: string };

/** The user-fields family: allow-listed columns of the user's own row. */
export const USER_FIELDS_WRITER: EffectWriter<UserFieldsEffect> = {
  types: ['update_user_fields', 'store_user_goal'],
  async apply(client: Queryable, effect: UserFieldsEffect): Promise<void> {
    if (effect.type === 'store_user_goal') {
      await client.query(
        `UPDATE users
            SET response_pattern = coalesce(response_pattern, '{}'::jsonb)
                  || jsonb_build_object('user_goal', $2::text, 'user_goal_updated_at', now()),
                updated_at = now()
          WHERE id = $1`,
        [effect.userId, effect.goal],
      );
      return;
    }
    // Column names come from the allow-list, never from input.
    let entries = Object.entries(effect.fields).filter(([field]) =>
      (USER_WRITABLE_FIELDS as readonly string[]).includes(field),
    );
    // An address another user already holds is refused: a text must not claim someone else's email
    // (and with it their verification link). The other fields are still written.
    const email = effect.fields.email;
    if (typeof email === 'string' && email.trim() !== '') {
      const taken = await client.query(`SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2 LIMIT 1`, [
        email.trim(),
        effect.userId,
      ]);
      if (taken.rowCount) entries = entries.filter(([field]) => field !== 'email');
    }
    if (entries.length === 0) return;
    const assignments = entries.map(([field], index) => `${field} = $${index + 2}`).join(', ');
    await client.query(`UPDATE users SET ${assignments}, updated_at = now() WHERE id = $1`, [
      effect.userId,
      ...entries.map(([, value]) => value),
    ]);
  },
};
