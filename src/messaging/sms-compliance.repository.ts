import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

export interface ComplianceUser {
  id: string;
  verified: boolean;
  poc_agent_type: string | null;
  opted_out_at: Date | null;
}

export interface TurnText {
  id: string;
  role: string;
  content: string | null;
}

/** Reads what the SMS keyword check needs before an agent turn. */
@Injectable()
export class SmsComplianceRepository {
  constructor(private readonly database: DatabaseService) {}

  async user(userId: string): Promise<ComplianceUser | null> {
    const rows = await this.database.query<ComplianceUser>(
      `SELECT id, verified, poc_agent_type, opted_out_at FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** The turn's inbound texts, oldest first. */
  async texts(messageIds: string[]): Promise<TurnText[]> {
    return this.database.query<TurnText>(
      `SELECT id, role, content FROM messages WHERE id = ANY($1::uuid[]) AND direction = 'inbound'
        ORDER BY created_at, id`,
      [messageIds],
    );
  }
}
