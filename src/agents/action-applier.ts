import { Injectable } from '@nestjs/common';
import type { Queryable } from '../database/database.service';
import type { AgentEffect, AgentEffectType } from './effects/agent-effect.types';
import { AGENT_TASKS_WRITER } from './effects/agent-tasks.effects';
import { COMMUNITY_WRITER } from './effects/community.effects';
import type { EffectWriter } from './effects/effect-writer';
import { INNOVATOR_WRITER } from './effects/innovator.effects';
import { INTROS_WRITER } from './effects/intros.effects';
import { PRIORITIES_WRITER } from './effects/priorities.effects';
import { USER_FIELDS_WRITER } from './effects/user-fields.effects';

/** Every family's writer; each effect type belongs to exactly one. */
const WRITERS = [
  USER_FIELDS_WRITER,
  AGENT_TASKS_WRITER,
  INTROS_WRITER,
  COMMUNITY_WRITER,
  PRIORITIES_WRITER,
  INNOVATOR_WRITER,
] as readonly unknown[] as readonly EffectWriter<AgentEffect>[];

/**
 * The engine's entry to the effect writers (OutcomeWriter calls it inside the fenced transaction):
 * routes each effect of an outcome, in order, to its family's writer.
 */
@Injectable()
export class ActionApplier {
  private readonly writers: ReadonlyMap<AgentEffectType, EffectWriter<AgentEffect>>;

  constructor() {
    const writers = new Map<AgentEffectType, EffectWriter<AgentEffect>>();
    for (const writer of WRITERS) {
      for (const type of writer.types) {
        if (writers.has(type)) throw new Error(`two effect writers claim ${type}`);
        writers.set(type, writer);
      }
    }
    this.writers = writers;
  }

  async apply(client: Queryable, effects: readonly AgentEffect[]): Promise<void> {
    for (const effect of effects) {
      const writer = this.writers.get(effect.type);
      if (!writer) throw new Error(`no effect writer for ${String(effect.type)}`);
      await writer.apply(client, effect);
    }
  }
}
