import type { StoredMessage } from '../context/agent-context.types';
import type { ChatTurn } from './model.types';

const MAX_CHARS_PER_MESSAGE = 1000;

/**
 * The conversation as chat turns: the user's texts as `user`, every outbound text as `assistant`.
 * System rows are not turns (the old Bouncer showed them as its own words); their
 * meaning goes into the prompt as `finalNote`. Consecutive turns of one role are merged, the
 * transcript starts with the user and ends with a user turn, as the API expects.
 */
export function chatTurns(messages: readonly StoredMessage[], finalNote?: string): ChatTurn[] {
  const turns: ChatTurn[] = [];
  const add = (role: ChatTurn['role'], content: string): void => {
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content = `${last.content}\n${content}`;
    else turns.push({ role, content });
  };
  for (const message of messages) {
    const content = message.content.trim().slice(0, MAX_CHARS_PER_MESSAGE);
    if (content === '') continue;
    if (message.direction === 'outbound') add('assistant', content);
    else if (message.role === 'user') add('user', content);
  }
  while (turns[0]?.role === 'assistant') turns.shift();
  if (finalNote !== undefined) add('user', finalNote);
  if (turns.length === 0 || turns[turns.length - 1].role === 'assistant') add('user', '(no new text from the user)');
  return turns;
}
