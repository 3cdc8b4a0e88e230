import { chooseAgent } from './agent-routing';

describe('chooseAgent', () => {
  it.each([
    [false, 'bouncer', 'bouncer', false],
    [false, null, 'bouncer', false],
    [false, 'concierge', 'bouncer', true],
    [false, 'innovator', 'bouncer', true],
    [false, 'wizard', 'bouncer', true],
    [true, 'concierge', 'concierge', false],
    [true, 'innovator', 'innovator', false],
    [true, null, 'concierge', true],
    [true, 'bouncer', 'concierge', true],
    [true, 'wizard', 'concierge', true],
  ])('verified=%s poc_agent_type=%j → %s (warning: %s)', (verified, pocAgentType, agent, warns) => {
    const route = chooseAgent({ verified, pocAgentType });
    expect(route.agent).toBe(agent);
    expect(route.warning !== null).toBe(warns);
  });
});
