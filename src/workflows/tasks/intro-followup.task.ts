import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Queryable } from '../../database/database.service';
import { MemberRepository } from '../member.repository';
import { textMember } from '../member-texts';
import { InvalidTaskError, type AgentTask, type TaskWorkflow } from './agent-task';
import { IntroFollowupContextDto, type IntroType } from './task-context.dto';
import { parseTaskContext, taskUser } from './task-context';

export interface IntroState {
  status: string;
  /** The person the intro is about, as the member knows them. */
  name: string | null;
  /** Members who are a party to it (may ask about it). */
  parties: string[];
  /** A connection request's requestor, who knows it by the introducee's name (`introduceeName`), not their own. */
  requestorUserId: string | null;
  introduceeName: string | null;
}

const INTRO_SQL: Record<IntroType, string> = {
  intro_opportunity: `SELECT status, NULLIF(concat_ws(' ', first_name, last_name), '') AS name,
      array_remove(ARRAY[connector_user_id, innovator_id], NULL) AS parties,
      NULL::uuid AS "requestorUserId", NULL::text AS "introduceeName"
    FROM intro_opportunities WHERE id = $1`,
  connection_request: `SELECT r.status, r.requestor_name AS name,
      array_remove(ARRAY[r.introducee_user_id, r.requestor_user_id], NULL) AS parties,
      r.requestor_user_id AS "requestorUserId",
      NULLIF(concat_ws(' ', u.first_name, u.last_name), '') AS "introduceeName"
    FROM connection_requests r LEFT JOIN users u ON u.id = r.introducee_user_id WHERE r.id = $1`,
  intro_offer: `SELECT status, prospect_name AS name,
      array_remove(ARRAY[offering_user_id, introducee_user_id], NULL) AS parties,
      NULL::uuid AS "requestorUserId", NULL::text AS "introduceeName"
    FROM intro_offers WHERE id = $1`,
};

/** The intro of a type by id, or null when it does not exist. */
export async function loadIntro(client: Queryable, type: IntroType, id: string): Promise<IntroState | null> {
  const result = await client.query<IntroState>(INTRO_SQL[type], [id]);
  return result.rows[0] ?? null;
}

const WAITING = ['open', 'pending', 'presented', 'dormant', 'paused', 'pending_introducee_response'];
const UNDER_WAY = ['accepted', 'pending_connector_confirmation'];

function statusLine(status: string): string {
  if (WAITING.includes(status)) return "it's still waiting on a reply. I'll tell you as soon as it moves.";
  if (UNDER_WAY.includes(status)) return "it's agreed, and the introduction is being set up.";
  if (status === 'completed') return "it's done: the introduction has been made.";
  return "it isn't going ahead. Tell me if you'd like me to look for another way in.";
}

/**
 * `intro_followup_check` (from `user.intro_inquiry`, brief defect 20's placeholder): the member
 * asked where an intro stands; they get its current state as a queued text on the intro's subject
 * (so it replaces older queued news about the same intro). Only a party to the intro may ask.
 */
@Injectable()
export class IntroFollowupCheckTask implements TaskWorkflow {
  readonly taskType = 'intro_followup_check';

  constructor(private readonly members: MemberRepository) {}

  async run(client: PoolClient, task: AgentTask): Promise<Record<string, unknown>> {
    const userId = taskUser(task);
    const { introType, introId } = parseTaskContext(IntroFollowupContextDto, task);
    const intro = await loadIntro(client, introType, introId);
    if (!intro) throw new InvalidTaskError(`${introType} ${introId} does not exist`);
    if (!intro.parties.includes(userId)) {
      throw new InvalidTaskError(`user ${userId} is not a party to ${introType} ${introId}`);
    }
    const name = intro.requestorUserId === userId ? intro.introduceeName : intro.name;
    const about = name ? `your intro with ${name}` : 'your intro';
    const sent = await textMember(client, this.members, {
      userId,
      texts: [`About ${about}: ${statusLine(intro.status)}`],
      subject: `${introType}:${introId}`,
      priority: 'medium',
      data: { kind: 'intro_followup', introType, introId, status: intro.status },
    });
    return { introType, introId, status: intro.status, queued: sent };
  }
}
