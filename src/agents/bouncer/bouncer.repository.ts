import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';

export interface VerifiedMember {
  id: string;
  firstName: string | null;
  lastName: string | null;
}

/** The Bouncer's reads beyond the turn's own rows; it never writes (the engine commits the outcome). */
@Injectable()
export class BouncerRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Which of `eventTypes` were already recorded for the user (events agents emit at most once). */
  async findPastEventTypes(userId: string, eventTypes: readonly string[]): Promise<Set<string>> {
    const rows = await this.database.query<{ event_type: string }>(
      `SELECT DISTINCT event_type FROM events WHERE aggregate_id = $1 AND event_type = ANY($2::text[])`,
      [userId, eventTypes],
    );
    return new Set(rows.map((row) => row.event_type));
  }

  /**
   * Verified members whose first name (and last name, when given) match case-insensitively, for
   * referrer matching. Bounded: a common first name must not load the whole network.
   */
  async findVerifiedMembersByName(
    firstName: string,
    lastName: string | null,
    excludeUserId: string,
  ): Promise<VerifiedMember[]> {
    const rows = await this.database.query<{ id: string; first_name: string | null; last_name: string | null }>(
      `SELECT id, first_name, last_name FROM users
       WHERE verified AND id <> $3
         AND (lower(first_name) = lower($1) OR ($2::text IS NOT NULL AND lower(last_name) = lower($2)))
       ORDER BY created_at
       LIMIT 50`,
      [firstName, lastName, excludeUserId],
    );
    return rows.map((row) => ({ id: row.id, firstName: row.first_name, lastName: row.last_name }));
  }

  /** The people this user nominated (as connector of an intro opportunity), full names in lower case. */
  async findNominations(userId: string): Promise<string[]> {
    const rows = await this.database.query<{ name: string }>(
      `SELECT lower(first_name || ' ' || last_name) AS name FROM intro_opportunities
       WHERE connector_user_id = $1 ORDER BY created_at LIMIT 50`,
      [userId],
    );
    return rows.map((row) => row.name);
  }
}
