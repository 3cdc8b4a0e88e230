import type { AgentTaskEffect } from './agent-tasks.effects';
import type { InnovatorEffect } from './innovator.effects';
import type { CommunityEffect } from './community.effects';
import type { IntroEffect } from './intros.effects';
import type { PriorityEffect } from './priorities.effects';
import type { UserFieldsEffect } from './user-fields.effects';

/**
 * A side effect on our own tables, applied inside the turn's (or event's) fenced transaction by
 * its family's writer. Each variant carries only ids that came from the loaded context, never from
 * the user's text. A new family adds its union here and its writer to ActionApplier.
 */
export type AgentEffect =
  UserFieldsEffect | AgentTaskEffect | IntroEffect | CommunityEffect | PriorityEffect | InnovatorEffect;
export type AgentEffectType = AgentEffect['type'];
