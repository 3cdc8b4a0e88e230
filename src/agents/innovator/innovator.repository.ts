import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ConciergeContextReads, Environment } from '../../config/environment';
import { DatabaseService } from '../../database/database.service';
import { contextReadsMode, readAll } from '../context/read-set';
import {
  INNOVATOR_READS,
  innovatorReadParams,
  toContextParts,
  type InnovatorContextParts,
} from './innovator-context.reads';
import type { ReengagementHistory } from './innovator.context';

/**
 * The Innovator's reads (innovator-context.reads.ts): only the user's own rows. It never writes
 * (the engine commits the outcome). CONCIERGE_CONTEXT_READS governs the turn context's reads as it
 * does the Concierge's: `one_statement` (the default) sends them as one statement on one
 * connection; `parallel` sends each alone, all at once. Both give the same parts.
 */
@Injectable()
export class InnovatorRepository {
  private readonly mode: ConciergeContextReads;

  constructor(
    private readonly database: DatabaseService,
    config: ConfigService<Environment, true>,
  ) {
    this.mode = contextReadsMode(config);
  }

  /** The innovator's own rows of a turn's context. */
  async readContext(userId: string): Promise<InnovatorContextParts> {
    return toContextParts(
      await readAll(this.database, this.mode, INNOVATOR_READS, innovatorReadParams(userId), userId),
    );
  }

  /**
   * What re-engagement throttling reads (same rules as the Concierge): when the last
   * nudge went out, and how many nudges went out since the user last wrote, within `windowDays`.
   */
  async reengagementHistory(userId: string, now: Date, windowDays: number): Promise<ReengagementHistory> {
    const [row] = await this.database.query<{ last_sent_at: Date | null; unanswered: string }>(
      `WITH last_user AS (
         SELECT max(created_at) AS at FROM messages WHERE user_id = $1 AND direction = 'inbound' AND role = 'user'
       )
       SELECT
         (SELECT max(created_at) FROM agent_actions_log
          WHERE user_id = $1 AND action_type = 're_engagement_message_sent' AND agent_type <> 'bouncer') AS last_sent_at,
         (SELECT count(*) FROM agent_actions_log, last_user
          WHERE user_id = $1 AND action_type = 're_engagement_message_sent' AND agent_type <> 'bouncer'
            AND created_at > $2::timestamptz - make_interval(days => $3)
            AND (last_user.at IS NULL OR created_at > last_user.at)) AS unanswered`,
      [userId, now, windowDays],
    );
    return { lastSentAt: row.last_sent_at, unansweredInWindow: Number(row.unanswered) };
  }
}
