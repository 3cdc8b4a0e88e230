import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/database.service';
import { emitEvent, WORKFLOWS } from '../workflow-effects';

/**
 * The Bouncer's "prospect upgrade on signup": a new member whose phone number or email is on an
 * innovator's uploaded prospect list no longer needs a connector to reach them. Each such prospect
 * is marked upgraded and becomes a connection request from the innovator to the member (handled as
 * `connection.request_created`: a priority for the member), and `prospects.upgraded_on_signup` is
 * emitted. Runs in the caller's fenced transaction; a prospect is upgraded once.
 */
@Injectable()
export class ProspectUpgrade {
  async upgrade(client: Queryable, userId: string): Promise<number> {
    const prospects = await client.query<{
      id: string;
      innovator_id: string | null;
      requestor_name: string | null;
      company_name: string | null;
    }>(
      `SELECT p.id, p.innovator_id, NULLIF(concat_ws(' ', i.first_name, i.last_name), '') AS requestor_name,
              COALESCE(inn.company_name, i.company) AS company_name
       FROM users u
       JOIN prospects p ON p.upgraded_on_signup = false AND p.innovator_id IS NOT NULL AND p.innovator_id <> u.id
         AND ((u.phone_number IS NOT NULL AND p.phone_number = u.phone_number)
           OR (u.email IS NOT NULL AND lower(p.email) = lower(u.email)))
       LEFT JOIN users i ON i.id = p.innovator_id
       LEFT JOIN innovators inn ON inn.user_id = p.innovator_id
       WHERE u.id = $1
       ORDER BY p.created_at, p.id
       FOR UPDATE OF p`,
      [userId],
    );
    for (const prospect of prospects.rows) {
      await client.query(`UPDATE prospects SET upgraded_on_signup = true WHERE id = $1`, [prospect.id]);
      const request = await client.query<{ id: string }>(
        `INSERT INTO connection_requests (introducee_user_id, requestor_user_id, requestor_name, requestor_company,
           intro_context, bounty_credits, status)
         VALUES ($1, $2, $3, $4, 'You were on their list of people they hoped to meet before you joined.', 0, 'open')
         RETURNING id`,
        [userId, prospect.innovator_id, prospect.requestor_name, prospect.company_name],
      );
      const connectionRequestId = request.rows[0].id;
      await emitEvent(client, {
        event_type: 'connection.request_created',
        aggregate_id: connectionRequestId,
        aggregate_type: 'connection_request',
        payload: {
          connectionRequestId,
          requestorUserId: prospect.innovator_id,
          introduceeUserId: userId,
          bountyCredits: 0,
        },
        created_by: WORKFLOWS,
      });
      await emitEvent(client, {
        event_type: 'prospects.upgraded_on_signup',
        aggregate_id: prospect.id,
        aggregate_type: 'prospect',
        payload: { prospectId: prospect.id, userId, innovatorId: prospect.innovator_id, connectionRequestId },
        created_by: WORKFLOWS,
      });
    }
    return prospects.rows.length;
  }
}
