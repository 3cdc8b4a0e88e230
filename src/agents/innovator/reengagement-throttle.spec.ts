import { throttleReengagement } from './reengagement-throttle';

const now = new Date('2026-12-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe('throttleReengagement', () => {
  it('lets the first nudge through', () => {
    expect(throttleReengagement({ lastSentAt: null, unansweredInWindow: 0 }, now)).toEqual({ kind: 'go' });
  });

  it('holds a nudge within 7 days of the last one until the week is over', () => {
    expect(throttleReengagement({ lastSentAt: daysAgo(2), unansweredInWindow: 1 }, now)).toEqual({
      kind: 'throttled',
      lastSentAt: daysAgo(2),
      retryAt: new Date(daysAgo(2).getTime() + 7 * 86_400_000),
    });
    expect(throttleReengagement({ lastSentAt: daysAgo(7), unansweredInWindow: 1 }, now)).toEqual({ kind: 'go' });
  });

  it('pauses at 3 unanswered nudges, before the weekly rule', () => {
    expect(throttleReengagement({ lastSentAt: daysAgo(1), unansweredInWindow: 3 }, now)).toEqual({
      kind: 'paused',
      unanswered: 3,
    });
    expect(throttleReengagement({ lastSentAt: daysAgo(30), unansweredInWindow: 2 }, now).kind).toBe('go');
  });
});
