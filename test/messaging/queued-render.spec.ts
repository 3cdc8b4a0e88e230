import { MessagingHarness } from './messaging-harness';

/**
 * A queued row with `message_data` and no `final_message` is rendered in the agent's voice (the
 * local model's template answer, then the tone rules) instead of failing as empty text.
 */
describe('rendering queued message_data', () => {
  let harness: MessagingHarness;

  beforeAll(async () => {
    harness = await MessagingHarness.start('2026-03-10T15:00:00Z'); // 11:00 in New York
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('renders message_data through the model port and the tone rules, and sends it as the agent', async () => {
    const user = await harness.newUser();
    const id = await harness.queue(user, {
      text: null,
      agentId: 'innovator',
      data: { summary: 'Your intro with Dana Reyes at Acme is confirmed! She will reach out this week.' },
    });

    await harness.dispatch();

    const row = await harness.row(id);
    expect(row).toMatchObject({ status: 'sent', status_reason: null });
    const expected = 'Your intro with Dana Reyes at Acme is confirmed. She will reach out this week.';
    expect(row.final_message).toBe(expected);
    expect(await harness.outbound(user)).toEqual([{ content: expected, role: 'innovator', queue_message_id: id }]);
  });

  it('ends a row failed with the reason when message_data cannot be rendered or renders to nothing usable', async () => {
    const user = await harness.newUser();
    const good = await harness.newUser();
    const notAnObject = await harness.queue(user, { text: null, data: ['hi'] });
    const noSummary = await harness.queue(user, { text: null, data: { names: ['Dana'] } });
    const contactOnly = await harness.queue(user, { text: '  ', data: { summary: 'Call +1 415 555 0100 today.' } });
    const ok = await harness.queue(good, { text: null, data: { summary: 'Three new members joined your circle.' } });

    const summary = await harness.dispatch();

    expect(await harness.row(notAnObject)).toMatchObject({
      status: 'failed',
      status_reason: 'cannot render: message_data is not an object',
    });
    expect(await harness.row(noSummary)).toMatchObject({
      status: 'failed',
      status_reason: 'cannot render: message_data.summary is missing or empty',
    });
    expect(await harness.row(contactOnly)).toMatchObject({
      status: 'failed',
      status_reason: 'render produced no usable text (phone_removed)',
    });
    expect((await harness.row(ok)).status).toBe('sent');
    expect(summary).toMatchObject({ failed: 3, sent: 1, errors: 0 });
    expect(await harness.sentTexts(user)).toEqual([]);
  });
});
