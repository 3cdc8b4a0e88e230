import type { InnovatorFieldValues, InnovatorWritableField } from '../../effects/innovator.effects';
import { authorizeRefs, defineTool, type AgentTool } from '../../kit/agent-tool';
import { ToolInputReader } from '../../model/tool-input.reader';
import type { InnovatorContext } from '../innovator.context';

export interface ProfileUpdateFacts {
  updated: InnovatorWritableField[];
}

/** The bounty every innovator starts with; raising it above this needs the credits to pay it. */
export const DEFAULT_WARM_INTRO_BOUNTY = 25;
export const MAX_WARM_INTRO_BOUNTY = 1000;
export const WARM_BOUNTY_ABOVE_BALANCE = 'warm intro bounty above the available credits';

const text = (description: string) => ({ type: 'string', description });

const spec = defineTool<InnovatorContext, InnovatorFieldValues, ProfileUpdateFacts>({
  name: 'update_innovator_profile',
  description: 'Change fields of the innovator’s own profile that they stated in this turn. Omit the rest.',
  schema: {
    type: 'object',
    properties: {
      company_name: text('Their company.'),
      solution_description: text('What they sell, in their words.'),
      categories: { type: 'array', items: { type: 'string' }, description: 'Market categories.' },
      target_customer_profile: text('Who buys it: roles, company size, industry.'),
      warm_intro_bounty: {
        type: 'integer',
        minimum: 0,
        description: 'Credits they pay when someone offers them an intro and they accept.',
      },
    },
    additionalProperties: false,
  },
  parse(raw, properties) {
    const reader = new ToolInputReader('update_innovator_profile');
    const top = reader.object(raw, '', properties);
    const fields: InnovatorFieldValues = {};
    const company = reader.optionalString(top.company_name, 'company_name', 200);
    if (company !== undefined) fields.company_name = company;
    const solution = reader.optionalString(top.solution_description, 'solution_description', 500);
    if (solution !== undefined) fields.solution_description = solution;
    const target = reader.optionalString(top.target_customer_profile, 'target_customer_profile', 500);
    if (target !== undefined) fields.target_customer_profile = target;
    const categories = reader.optionalStrings(top.categories, 'categories', 10);
    if (categories !== undefined) {
      const kept = categories.map((c) => c.trim().slice(0, 60)).filter((c) => c !== '');
      if (kept.length > 0) fields.categories = kept;
    }
    const bounty = reader.optionalInteger(top.warm_intro_bounty, 'warm_intro_bounty', 0, MAX_WARM_INTRO_BOUNTY);
    if (bounty !== undefined) fields.warm_intro_bounty = bounty;
    if (Object.keys(fields).length === 0) reader.fail('', 'names no field to update');
    return { value: fields, refused: reader.refused };
  },
  refs: () => [],
  plan(context, fields) {
    const updated = Object.keys(fields) as InnovatorWritableField[];
    return {
      // The row is always the user's own: the writer keys it by the context's user id.
      effects: [{ type: 'update_innovator_profile', userId: context.user.id, fields }],
      events: [
        {
          event_type: 'innovator.profile_updated',
          aggregate_id: context.user.id,
          aggregate_type: 'user',
          payload: { userId: context.user.id, fields: updated },
          created_by: 'innovator_agent',
        },
      ],
      facts: { updated },
    };
  },
});

/**
 * `update_innovator_profile`: only the allow-listed fields of the user's own
 * `innovators` row. A warm-intro bounty above the default must be covered by available credits.
 */
export const UPDATE_INNOVATOR_PROFILE_TOOL: AgentTool<InnovatorContext, InnovatorFieldValues, ProfileUpdateFacts> = {
  ...spec,
  authorize(context, fields) {
    const ids = authorizeRefs(context, spec.refs(fields));
    if (!ids.ok) return ids;
    const bounty = fields.warm_intro_bounty;
    if (typeof bounty === 'number' && bounty > DEFAULT_WARM_INTRO_BOUNTY && bounty > context.availableCredits) {
      return { ok: false, reason: WARM_BOUNTY_ABOVE_BALANCE };
    }
    return { ok: true };
  },
};
