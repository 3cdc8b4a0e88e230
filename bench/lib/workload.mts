/** The burst load every throughput figure uses, for the service and its references alike. */
export const LOAD_USERS = 200;
export const LOAD_MESSAGES_PER_USER = 10;
/** Inserting connections: texts arrive as fast as these commit. */
export const INSERTERS = 8;

export interface Burst {
  /** Index of the user (0-based). */
  user: number;
  /** Index of the burst's first text among the user's texts. */
  first: number;
  size: number;
}

/**
 * Every user sends `perUser` texts in bursts of 1–4 texts, one burst per transaction, round-robin
 * over users so a user's next burst comes about `users` bursts later.
 */
export function burstPlan(users = LOAD_USERS, perUser = LOAD_MESSAGES_PER_USER): Burst[] {
  const plan: Burst[] = [];
  const sent = Array.from({ length: users }, () => 0);
  for (let round = 0; sent.some((n) => n < perUser); round += 1) {
    for (let user = 0; user < users; user += 1) {
      const size = Math.min(perUser - sent[user], 1 + ((user + round) % 4));
      if (size > 0) plan.push({ user, first: sent[user], size });
      sent[user] += size;
    }
  }
  return plan;
}

/** Runs `plan` on `INSERTERS` workers, each burst through `insert`, which resolves once it has committed. */
export async function drive(plan: Burst[], insert: (burst: Burst) => Promise<void>): Promise<void> {
  const queue = [...plan];
  await Promise.all(
    Array.from({ length: INSERTERS }, async () => {
      for (let burst = queue.shift(); burst; burst = queue.shift()) await insert(burst);
    }),
  );
}
