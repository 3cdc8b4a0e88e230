import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import type { AgentConversation, AgentUser, StoredMessage } from './agent-context.types';

interface UserRow {
  id: string;
  phone_number: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  email: string | null;
  linkedin_url: string | null;
  expertise: string[] | null;
  verified: boolean;
  email_verified: boolean;
  poc_agent_type: string | null;
  referred_by: string | null;
  name_dropped: string | null;
}

interface MessageRow {
  id: string;
  conversation_id: string | null;
  role: string;
  content: string | null;
  direction: string;
  created_at: Date;
}

export interface TurnMessage extends StoredMessage {
  conversationId: string | null;
}

const toMessage = (row: MessageRow): TurnMessage => ({
  id: row.id,
  conversationId: row.conversation_id,
  role: row.role,
  content: row.content ?? '',
  direction: row.direction,
  createdAt: row.created_at,
});

/** The reads of every turn (user, messages, conversation); each agent's repository reads the rest. */
@Injectable()
export class AgentContextRepository {
  constructor(private readonly database: DatabaseService) {}

  async findUser(userId: string): Promise<AgentUser | null> {
    const [row] = await this.database.query<UserRow>(
      `SELECT id, phone_number, first_name, last_name, company, title, email, linkedin_url, expertise,
              verified, email_verified, poc_agent_type, referred_by, name_dropped
       FROM users WHERE id = $1`,
      [userId],
    );
    if (!row) return null;
    return {
      id: row.id,
      phoneNumber: row.phone_number,
      firstName: row.first_name,
      lastName: row.last_name,
      company: row.company,
      title: row.title,
      email: row.email,
      linkedinUrl: row.linkedin_url,
      expertise: row.expertise,
      verified: row.verified,
      emailVerified: row.email_verified,
      pocAgentType: row.poc_agent_type,
      referredBy: row.referred_by,
      nameDropped: row.name_dropped,
    };
  }

  /** The turn's inbound rows that belong to the user, oldest first. */
  async findTurnMessages(userId: string, messageIds: readonly string[]): Promise<TurnMessage[]> {
    const rows = await this.database.query<MessageRow>(
      `SELECT id, conversation_id, role, content, direction, created_at
       FROM messages
       WHERE id = ANY($1::uuid[]) AND user_id = $2 AND direction = 'inbound'
       ORDER BY created_at, arrival_order`,
      [messageIds, userId],
    );
    return rows.map(toMessage);
  }

  async findConversation(conversationId: string): Promise<AgentConversation | null> {
    const [row] = await this.database.query<{ id: string; status: string }>(
      `SELECT id, status FROM conversations WHERE id = $1`,
      [conversationId],
    );
    return row ?? null;
  }

  /**
   * The latest `limit` messages of the conversation before this turn, oldest first. Excludes the
   * turn's own rows (the caller appends them, so each appears once) and inbound rows still waiting
   * for a later turn.
   */
  async findEarlierMessages(
    conversationId: string,
    turnMessageIds: readonly string[],
    limit: number,
  ): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const rows = await this.database.query<MessageRow>(
      `SELECT id, conversation_id, role, content, direction, created_at FROM (
         SELECT id, conversation_id, role, content, direction, created_at, arrival_order
         FROM messages
         WHERE conversation_id = $1
           AND NOT (id = ANY($2::uuid[]))
           AND (direction <> 'inbound' OR processing_state IS NULL OR processing_state IN ('done', 'dead'))
         ORDER BY created_at DESC, arrival_order DESC
         LIMIT $3
       ) recent
       ORDER BY created_at, arrival_order`,
      [conversationId, turnMessageIds, limit],
    );
    return rows.map(({ id, role, content, direction, created_at }) => ({
      id,
      role,
      content: content ?? '',
      direction,
      createdAt: created_at,
    }));
  }
}
