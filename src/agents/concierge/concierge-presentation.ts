import type { AgentTurn } from '../kit/agent-turn';
import type { ConciergeContext, ConciergePriority } from './concierge.context';

/**
 * Presentation tracking: every presentation counts; the second presentation of an item
 * still unanswered makes it dormant (the effect writer applies the same rule in SQL, and cancels
 * the re-engagement checks linked to it).
 */
export function presentPriority(
  turn: AgentTurn<ConciergeContext>,
  priority: ConciergePriority,
  mode: 'natural' | 'dedicated',
): void {
  const { context } = turn;
  turn.effects.push({
    type: 'present_priority',
    userId: context.user.id,
    priorityId: priority.id,
    itemType: priority.itemType,
    itemId: priority.itemId,
  });
  const dormant = priority.status === 'presented';
  const details = {
    output_data: {
      priority_id: priority.id,
      item_type: priority.itemType,
      item_id: priority.itemId,
      mode,
      presentation_count: priority.presentationCount + 1,
    },
  };
  turn.log.add('priority_presented', details);
  if (dormant) turn.log.add('priority_marked_dormant', details);
}
