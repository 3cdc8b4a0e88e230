import { OPTED_OUT_REASON } from '../../src/messaging/consent.writer';
import { AnthropicStandIn } from '../support/anthropic-stand-in';
import { expectEventually } from '../support/eventually';
import { MessagingHarness } from './messaging-harness';

/**
 * Rendering a queued row calls the model, which may take seconds: it happens with no lock on the
 * user's row (a turn's commit or a STOP must not wait on it), and the unit is decided again under
 * the lock before the rendered text is sent.
 */
describe('rendering queued texts outside the user lock', () => {
  let harness: MessagingHarness;
  let model: AnthropicStandIn;

  beforeAll(async () => {
    model = await AnthropicStandIn.start();
    harness = await MessagingHarness.start('2026-03-10T15:00:00Z', {
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.baseURL,
    });
  });
  afterAll(async () => {
    await harness?.close();
    await model?.stop();
  });

  /** Holds the next render until the returned release is called. */
  function holdRender(text: string): () => void {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    model.setResponder(() => ({ kind: 'held', until, then: { kind: 'text', text } }));
    return release;
  }

  async function lockUserNowait(userId: string): Promise<void> {
    const client = await harness.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE NOWAIT`, [userId]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  it('leaves the user row unlocked while the model renders, then sends the rendered text', async () => {
    const user = await harness.newUser();
    const id = await harness.queue(user, { text: null, data: { summary: 'Three new members joined your circle.' } });
    const before = model.requests.length;
    const release = holdRender('Three new members joined your circle this week.');

    const pass = harness.dispatch();
    await expectEventually(() => expect(model.requests.length).toBe(before + 1));
    // The model is working on the text: nobody holds the user's row.
    await expect(lockUserNowait(user.userId)).resolves.toBeUndefined();
    release();
    await pass;

    expect(await harness.row(id)).toMatchObject({
      status: 'sent',
      final_message: 'Three new members joined your circle this week.',
    });
  });

  it('renders a unit once when two dispatchers reach it at the same time', async () => {
    const user = await harness.newUser();
    const id = await harness.queue(user, { text: null, data: { summary: 'Your intro to Maya is confirmed.' } });
    const before = model.requests.length;
    const release = holdRender('Your intro to Maya is confirmed for Thursday.');

    const first = harness.sender.dispatchNext(user.userId, harness.clock.now());
    await expectEventually(() => expect(model.requests.length).toBe(before + 1));
    // A second instance's dispatcher reaches the same unit while the model renders it.
    await expect(harness.sender.dispatchNext(user.userId, harness.clock.now())).resolves.toEqual({ kind: 'busy' });
    release();
    await expect(first).resolves.toMatchObject({ kind: 'sent', ids: [id] });

    expect(model.requests.length).toBe(before + 1);
    expect(await harness.sentTexts(user)).toEqual(['Your intro to Maya is confirmed for Thursday.']);
    // The claim was let go: the user's next unit renders without waiting out a lease.
    const next = await harness.queue(user, { text: null, data: { summary: 'Dana accepted your intro.' } });
    model.setResponder(() => ({ kind: 'text', text: 'Dana accepted your intro.' }));
    await expect(harness.sender.dispatchNext(user.userId, harness.clock.now())).resolves.toMatchObject({
      kind: 'sent',
      ids: [next],
    });
  });

  it('decides again after rendering: a user who opted out meanwhile gets nothing', async () => {
    const user = await harness.newUser();
    const id = await harness.queue(user, { text: null, data: { summary: 'Your intro is confirmed.' } });
    const before = model.requests.length;
    const release = holdRender('Your intro is confirmed.');

    const pass = harness.dispatch();
    await expectEventually(() => expect(model.requests.length).toBe(before + 1));
    // STOP arrives while the model renders: it is not blocked, and it wins.
    await harness.db.pool.query(`UPDATE users SET opted_out_at = now() WHERE id = $1`, [user.userId]);
    release();
    await pass;

    expect(await harness.row(id)).toMatchObject({ status: 'cancelled', status_reason: OPTED_OUT_REASON });
    expect(await harness.sentTexts(user)).toEqual([]);
  });
});
