import { parseEventWakeUp, parseMessageWakeUp } from '../../src/realtime/wake-up.parser';
import { seededRandom } from '../support/seeded-random';
import { hostileValues } from './bad-input.generator';

describe('wake-up parsing under hostile payloads', () => {
  const cases = hostileValues(seededRandom(7), 200);

  it.each(cases.map((c) => [c.name, c.value]))('rejects %s with a reason instead of throwing', (_name, value) => {
    for (const parse of [parseMessageWakeUp, parseEventWakeUp]) {
      const result = parse(value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/\w/);
    }
  });

  it('still accepts the well-formed payloads', () => {
    const id = '2f1b6c9e-8d7a-4c3b-9e2f-1a0b9c8d7e6f';
    expect(parseMessageWakeUp(JSON.stringify({ id, user_id: null }))).toEqual({
      ok: true,
      value: { messageId: id, userId: null },
    });
    expect(parseEventWakeUp({ id, event_type: 'user.verified' })).toEqual({
      ok: true,
      value: { eventId: id, eventType: 'user.verified' },
    });
  });
});
