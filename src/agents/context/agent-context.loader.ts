import { Injectable } from '@nestjs/common';
import type { TurnInput } from '../agent.types';
import { AgentContextRepository } from './agent-context.repository';
import type { AgentConversation, AgentUser, TurnContext } from './agent-context.types';
import { LoadedIds } from './loaded-ids';
import { classifyTurn } from './turn-trigger';

/** the Bouncer reads the last 20 messages; the window holds at least a few earlier ones. */
export const HISTORY_WINDOW = 20;
const MIN_EARLIER_MESSAGES = 6;

export type LoadedTurn =
  | { kind: 'ready'; context: TurnContext }
  /** Only system rows nobody acts on: a no-op, logged. */
  | { kind: 'silent'; user: AgentUser; conversation: AgentConversation; reason: string }
  /** A row the turn needs is gone or was never there: nothing to answer, logged. */
  | { kind: 'missing'; user: AgentUser | null; reason: string };

/** Assembles the TurnContext every agent starts from; each agent loads the rest of its own context. */
@Injectable()
export class AgentContextLoader {
  constructor(private readonly repository: AgentContextRepository) {}

  async load(turn: TurnInput, now: Date): Promise<LoadedTurn> {
    if (turn.userId === null) return { kind: 'missing', user: null, reason: 'the messages have no user_id' };
    const user = await this.repository.findUser(turn.userId);
    if (!user) return { kind: 'missing', user: null, reason: `user ${turn.userId} not found` };
    const turnMessages = await this.repository.findTurnMessages(user.id, turn.messageIds);
    if (turnMessages.length === 0)
      return { kind: 'missing', user, reason: 'none of the turn’s inbound messages exist' };

    // Replies go to the conversation of the last message (that is where the engine writes them).
    const conversationId = turnMessages[turnMessages.length - 1].conversationId;
    const conversation = conversationId ? await this.repository.findConversation(conversationId) : null;
    if (!conversation) {
      return { kind: 'missing', user, reason: `conversation ${conversationId ?? '(none)'} of the turn not found` };
    }

    const trigger = classifyTurn(turnMessages);
    if (trigger.kind === 'silent') return { kind: 'silent', user, conversation, reason: trigger.reason };

    const earlierMessages = await this.repository.findEarlierMessages(
      conversation.id,
      turnMessages.map((m) => m.id),
      Math.max(HISTORY_WINDOW - turnMessages.length, MIN_EARLIER_MESSAGES),
    );
    const ownMessages = turnMessages.map(({ id, role, content, direction, createdAt }) => ({
      id,
      role,
      content,
      direction,
      createdAt,
    }));
    return {
      kind: 'ready',
      context: {
        user,
        conversation,
        turnMessages: ownMessages,
        earlierMessages,
        history: [...earlierMessages, ...ownMessages],
        trigger,
        ids: LoadedIds.of({ user: [user.id], conversation: [conversation.id] }),
        now,
      },
    };
  }
}
