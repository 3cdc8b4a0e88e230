import { Injectable } from '@nestjs/common';
import { DatabaseService, type Queryable } from '../database/database.service';

export interface Member {
  id: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  verified: boolean;
  pocAgentType: string | null;
  expertise: string[];
  lastActiveAt: Date | null;
  timezone: string | null;
}

/** The agent whose voice proactive texts to this member use (the outbound role). */
export function voiceOf(member: Pick<Member, 'verified' | 'pocAgentType'>): 'bouncer' | 'concierge' | 'innovator' {
  if (!member.verified) return 'bouncer';
  return member.pocAgentType === 'innovator' ? 'innovator' : 'concierge';
}

/** A name for texts: the first name, or a neutral word; never an invented name. */
export const nameOf = (member: Pick<Member, 'firstName' | 'lastName'> | null): string =>
  [member?.firstName, member?.lastName].filter(Boolean).join(' ') || 'a member';

interface MemberRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  verified: boolean;
  poc_agent_type: string | null;
  expertise: string[] | null;
  last_active_at: Date | null;
  timezone: string | null;
}

const toMember = (row: MemberRow): Member => ({
  id: row.id,
  firstName: row.first_name,
  lastName: row.last_name,
  company: row.company,
  verified: row.verified,
  pocAgentType: row.poc_agent_type,
  expertise: row.expertise ?? [],
  lastActiveAt: row.last_active_at,
  timezone: row.timezone,
});

/** Reads of members shared by the workflows. */
@Injectable()
export class MemberRepository {
  constructor(private readonly database: DatabaseService) {}

  async find(id: string, client: Queryable = this.database.pool): Promise<Member | null> {
    const result = await client.query<MemberRow>(
      `SELECT id, first_name, last_name, company, verified, poc_agent_type, expertise, last_active_at, timezone
       FROM users WHERE id = $1`,
      [id],
    );
    return result.rows[0] ? toMember(result.rows[0]) : null;
  }

  async findMany(ids: string[]): Promise<Map<string, Member>> {
    const rows = await this.database.query<MemberRow>(
      `SELECT id, first_name, last_name, company, verified, poc_agent_type, expertise, last_active_at, timezone
       FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, toMember(row)]));
  }

  /** The user's newest active conversation: where system rows for the user's agent go. */
  async activeConversation(client: Queryable, userId: string): Promise<string | null> {
    const result = await client.query<{ id: string }>(
      `SELECT id FROM conversations WHERE user_id = $1 AND status = 'active' ORDER BY created_at DESC, id LIMIT 1`,
      [userId],
    );
    return result.rows[0]?.id ?? null;
  }
}
