import type { TurnContext } from '../context/agent-context.types';
import { LoadedIds } from '../context/loaded-ids';
import { authorizeRefs, defineTool } from './agent-tool';

const USER = '5b3c8a1e-1d2f-4c55-9a5e-0b8f2d4c6e71';
const INTRO = '0e6f3b1a-7c2d-4e8f-9a10-b2c3d4e5f607';
const OTHER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const context = (ids: LoadedIds) => ({ ids }) as unknown as TurnContext;

describe('the one authorize rule', () => {
  const loaded = LoadedIds.of({ user: [USER], intro_opportunity: [INTRO] });

  it('allows ids loaded for the turn, whatever their case', () => {
    expect(authorizeRefs(context(loaded), [{ kind: 'intro_opportunity', id: INTRO.toUpperCase() }])).toEqual({
      ok: true,
    });
  });

  it('refuses an id that was not loaded, and one loaded under another kind', () => {
    expect(authorizeRefs(context(loaded), [{ kind: 'intro_opportunity', id: OTHER }]).ok).toBe(false);
    expect(authorizeRefs(context(loaded), [{ kind: 'intro_offer_to_answer', id: INTRO }]).ok).toBe(false);
  });

  it('is what every tool built with defineTool uses', () => {
    const tool = defineTool<TurnContext, { id: string }, null>({
      name: 'accept',
      description: 'test',
      schema: { type: 'object', properties: {} },
      parse: (raw) => ({ value: raw as { id: string }, refused: [] }),
      refs: (input) => [{ kind: 'intro_opportunity', id: input.id }],
      plan: () => ({ effects: [], events: [], facts: null }),
    });
    expect(tool.authorize(context(loaded), { id: INTRO }).ok).toBe(true);
    expect(tool.authorize(context(loaded), { id: OTHER }).ok).toBe(false);
  });

  it('adds kinds without changing the original set', () => {
    const more = loaded.with({ intro_offer_to_answer: [OTHER] });
    expect(more.has('intro_offer_to_answer', OTHER)).toBe(true);
    expect(loaded.has('intro_offer_to_answer', OTHER)).toBe(false);
    expect(more.has('intro_opportunity', INTRO)).toBe(true);
  });
});
