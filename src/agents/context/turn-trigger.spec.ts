import type { StoredMessage } from './agent-context.types';
import { classifyTurn, parseReengagementCheck } from './turn-trigger';

let n = 0;
const message = (role: string, content: string): StoredMessage => ({
  id: `m${++n}`,
  role,
  content,
  direction: 'inbound',
  createdAt: new Date(),
});
const check = (payload: Record<string, unknown>) =>
  message('system', JSON.stringify({ type: 're_engagement_check', ...payload }));

describe('classifyTurn', () => {
  it('sends user texts down the normal path', () => {
    expect(classifyTurn([message('user', 'hi'), message('user', 'there')])).toEqual({
      kind: 'message',
      userTexts: ['hi', 'there'],
      emailVerifiedAck: false,
    });
  });

  it('sends email_verified_acknowledgment down the normal path', () => {
    expect(classifyTurn([message('system', 'email_verified_acknowledgment')])).toEqual({
      kind: 'message',
      userTexts: [],
      emailVerifiedAck: true,
    });
  });

  it('sends a re_engagement_check down the re-engagement path with its attempt count', () => {
    expect(classifyTurn([check({ attemptCount: 2, currentStep: 'last_name' })])).toEqual({
      kind: 're_engagement',
      check: { attemptCount: 2, currentStep: 'last_name', missingFields: [] },
    });
  });

  it('lets a user text win over a re-engagement check in the same turn', () => {
    expect(classifyTurn([check({ attemptCount: 1 }), message('user', 'sorry, back')]).kind).toBe('message');
  });

  it.each([['{"type":"something_else"}'], ['not json'], ['']])('is silent for other system content %j', (content) => {
    expect(classifyTurn([message('system', content)]).kind).toBe('silent');
  });

  it('treats a missing or malformed attempt count as the first attempt', () => {
    expect(parseReengagementCheck('{"type":"re_engagement_check"}')?.attemptCount).toBe(1);
    expect(parseReengagementCheck('{"type":"re_engagement_check","attemptCount":"x"}')?.attemptCount).toBe(1);
  });
});
