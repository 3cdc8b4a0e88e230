import { parseEventChange, parseEventWakeUp, parseMessageChange, parseMessageWakeUp } from './wake-up.parser';

const MESSAGE_ID = '5b0f8f2e-2c1e-4a57-9d4c-3f3b8c1f2a10';
const USER_ID = '0d6c1a8e-7f3b-4c2a-9e51-6a7b8c9d0e1f';
const EVENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** What supabase-js hands a postgres_changes INSERT callback. */
const change = (table: string, record: unknown, extra: Record<string, unknown> = {}) => ({
  schema: 'public',
  table,
  commit_timestamp: '2025-01-01T00:00:00.000Z',
  eventType: 'INSERT',
  new: record,
  old: {},
  errors: null,
  ...extra,
});

describe('NOTIFY payloads (postgres feed)', () => {
  it('accepts the trigger payloads', () => {
    expect(parseMessageWakeUp(JSON.stringify({ id: MESSAGE_ID, user_id: USER_ID }))).toEqual({
      ok: true,
      value: { messageId: MESSAGE_ID, userId: USER_ID },
    });
    expect(parseMessageWakeUp(JSON.stringify({ id: MESSAGE_ID, user_id: null }))).toEqual({
      ok: true,
      value: { messageId: MESSAGE_ID, userId: null },
    });
    expect(parseEventWakeUp(JSON.stringify({ id: EVENT_ID, event_type: 'user.verified' }))).toEqual({
      ok: true,
      value: { eventId: EVENT_ID, eventType: 'user.verified' },
    });
  });

  it.each([
    ['{', 'not valid JSON'],
    ['[1,2]', 'not an object'],
    ['{"id":"42"}', 'not a uuid'],
    [`{"id":"${MESSAGE_ID}","user_id":7}`, 'user_id'],
  ])('rejects %s with a reason', (payload, reason) => {
    const parsed = parseMessageWakeUp(payload);
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });
});

describe('Realtime changes (supabase feed)', () => {
  it('turns an inbound message INSERT into a wake-up', () => {
    expect(parseMessageChange(change('messages', { id: MESSAGE_ID, user_id: USER_ID, direction: 'inbound' }))).toEqual({
      ok: true,
      value: { messageId: MESSAGE_ID, userId: USER_ID },
    });
  });

  it('turns an events INSERT into a wake-up', () => {
    expect(parseEventChange(change('events', { id: EVENT_ID, event_type: 'user.verified' }))).toEqual({
      ok: true,
      value: { eventId: EVENT_ID, eventType: 'user.verified' },
    });
  });

  it.each([
    ['an outbound message', change('messages', { id: MESSAGE_ID, user_id: USER_ID, direction: 'outbound' }), 'inbound'],
    ['a row of another table', change('users', { id: MESSAGE_ID, direction: 'inbound' }), 'public.messages'],
    ['another schema', change('messages', { id: MESSAGE_ID, direction: 'inbound' }, { schema: 'auth' }), 'auth'],
    ['an UPDATE', change('messages', { id: MESSAGE_ID, direction: 'inbound' }, { eventType: 'UPDATE' }), 'INSERT'],
    ['a change without a record', change('messages', undefined), 'new record'],
    ['a record with a bad id', change('messages', { id: 'nope', direction: 'inbound' }), 'uuid'],
    ['something else entirely', 'a string', 'not an object'],
  ])('drops %s with a reason', (_what, input, reason) => {
    expect(parseMessageChange(input)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('drops an event change with a bad id', () => {
    expect(parseEventChange(change('events', { id: 12, event_type: 'x' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('uuid'),
    });
  });
});
