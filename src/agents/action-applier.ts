import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/database.service';
import { USER_WRITABLE_FIELDS, type AgentAction } from './agent.types';

/** Applies an outcome's actions inside the caller's transaction. */
@Injectable()
export class ActionApplier {
  async apply(client: Queryable, actions: AgentAction[]): Promise<void> {
    for (const action of actions) {
      switch (action.type) {
        case 'update_user_fields':
          await this.updateUserFields(client, action);
          break;
        case 'create_agent_task':
          await this.createAgentTask(client, action);
          break;
        case 'cancel_agent_tasks':
          await this.cancelAgentTasks(client, action);
          break;
        case 'create_nomination':
          await this.createNomination(client, action);
          break;
      }
    }
  }

  private async updateUserFields(
    client: Queryable,
    action: Extract<AgentAction, { type: 'update_user_fields' }>,
  ): Promise<void> {
    // Column names come from the allow-list, never from input.
    const entries = Object.entries(action.fields).filter(([field]) =>
      (USER_WRITABLE_FIELDS as readonly string[]).includes(field),
    );
    if (entries.length === 0) return;
    const assignments = entries.map(([field], index) => `${field} = $${index + 2}`).join(', ');
    await client.query(`UPDATE users SET ${assignments}, updated_at = now() WHERE id = $1`, [
      action.userId,
      ...entries.map(([, value]) => value),
    ]);
  }

  private async cancelAgentTasks(
    client: Queryable,
    action: Extract<AgentAction, { type: 'cancel_agent_tasks' }>,
  ): Promise<void> {
    await client.query(
      `UPDATE agent_tasks SET status = 'cancelled' WHERE user_id = $1 AND task_type = $2 AND status = 'pending'`,
      [action.userId, action.taskType],
    );
  }

  private async createNomination(
    client: Queryable,
    action: Extract<AgentAction, { type: 'create_nomination' }>,
  ): Promise<void> {
    await client.query(
      `INSERT INTO linkedin_research_prospects (id, name, company, title, linkedin_url, created_by_user_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        action.researchProspectId,
        `${action.firstName} ${action.lastName}`,
        action.company,
        action.title,
        action.linkedinUrl,
        action.userId,
      ],
    );
    // prospect_id stays NULL: it references `prospects` (an innovator's upload), not the research row.
    await client.query(
      `INSERT INTO intro_opportunities (id, connector_user_id, first_name, last_name, prospect_company,
         prospect_title, prospect_linkedin_url, bounty_credits, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open')`,
      [
        action.introOpportunityId,
        action.userId,
        action.firstName,
        action.lastName,
        action.company,
        action.title,
        action.linkedinUrl,
        action.bountyCredits,
      ],
    );
  }

  private async createAgentTask(
    client: Queryable,
    action: Extract<AgentAction, { type: 'create_agent_task' }>,
  ): Promise<void> {
    if (action.replacePending) {
      await client.query(
        `UPDATE agent_tasks SET status = 'cancelled' WHERE user_id = $1 AND task_type = $2 AND status = 'pending'`,
        [action.userId, action.taskType],
      );
    }
    await client.query(
      `INSERT INTO agent_tasks (task_type, agent_type, user_id, context_id, context_type, scheduled_for, context_json, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'realtime-processor')`,
      [
        action.taskType,
        action.agentType,
        action.userId,
        action.contextId ?? null,
        action.contextType ?? null,
        action.scheduledFor,
        action.contextJson,
      ],
    );
  }
}
