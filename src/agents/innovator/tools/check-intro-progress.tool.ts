import { defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { InnovatorContext, InnovatorIntro } from '../innovator.context';

export interface IntroProgressInput {
  introId: string | null;
  prospectId: string | null;
}

export interface IntroProgressFacts {
  /** Real rows only: the context's intros (or the one asked about). */
  intros: InnovatorIntro[];
  prospectsTotal: number;
  focused: boolean;
}

const spec = defineTool<InnovatorContext, IntroProgressInput, IntroProgressFacts>({
  name: 'check_intro_progress',
  description: 'Report the innovator’s intros as stored. Optionally focus on one intro or prospect from the context.',
  schema: {
    type: 'object',
    properties: {
      intro_id: { type: 'string', description: 'One intro id from the context, when they asked about one.' },
      prospect_id: { type: 'string', description: 'One prospect id from the context, when they asked about one.' },
    },
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('check_intro_progress');
    const top = reader.object(raw ?? {}, '', properties);
    const introId = top.intro_id === undefined || top.intro_id === null ? null : reader.uuid(top.intro_id, 'intro_id');
    const prospectId =
      top.prospect_id === undefined || top.prospect_id === null ? null : reader.uuid(top.prospect_id, 'prospect_id');
    return { value: { introId, prospectId }, refused: reader.refused };
  },
  refs: (input) => (input.prospectId ? [{ kind: 'prospect', id: input.prospectId }] : []),
  plan(context, input) {
    const intros = input.introId ? context.intros.filter((i) => i.id === input.introId) : context.intros;
    return {
      effects: [],
      events: [],
      facts: { intros, prospectsTotal: context.prospects.total, focused: input.introId !== null },
    };
  },
});

/**
 * `check_intro_progress`: reads, never invents. An intro id must be one of the
 * innovator's own intros loaded for this turn, a prospect id one of their own prospects.
 */
export const CHECK_INTRO_PROGRESS_TOOL: AgentTool<InnovatorContext, IntroProgressInput, IntroProgressFacts> = {
  ...spec,
  authorize(context, input) {
    if (input.introId !== null && !context.intros.some((intro) => intro.id === input.introId)) {
      return { ok: false, reason: 'ids not in this turn’s context: intro' };
    }
    return spec.authorize(context, input);
  },
};
