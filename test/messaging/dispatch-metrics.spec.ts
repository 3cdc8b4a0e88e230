import { randomUUID } from 'node:crypto';
import { MessagingHarness } from './messaging-harness';

const HOUR = 3_600_000;

/** realtime_processor_queue_sent_total counts every row the dispatcher decides, by lane and outcome. */
describe('dispatcher metrics', () => {
  let harness: MessagingHarness;

  beforeAll(async () => {
    harness = await MessagingHarness.start('2026-03-10T15:00:00Z'); // 11:00 in New York
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('counts sent, held, cancelled, superseded and failed rows by priority', async () => {
    const user = await harness.newUser();
    const sequenceId = randomUUID();
    // Two sends fill the hour: a two-part urgent sequence (two rows, one budget unit) and a high text.
    await harness.queue(user, { text: 'a', priority: 'urgent', sequence: { id: sequenceId, position: 0, total: 2 } });
    await harness.queue(user, { text: 'b', priority: 'urgent', sequence: { id: sequenceId, position: 1, total: 2 } });
    await harness.queue(user, { text: 'news', priority: 'high' });
    const heldId = await harness.queue(user, { text: 'third of the hour', priority: 'low' });
    // Superseded by the newer text on the same subject (which is held: the hour is used).
    await harness.queue(user, { text: 'old', priority: 'medium', subject: 'intro_opportunity:1' });
    await harness.queue(user, { text: 'new', priority: 'medium', subject: 'intro_opportunity:1' });
    await harness.queue(user, { text: '  ', priority: 'high' });
    await harness.queue(user, { text: 'x', priority: 'critical' });
    await harness.queue(null, { text: 'nobody', priority: 'low' });
    const quitter = await harness.newUser();
    await harness.db.pool.query(`UPDATE users SET opted_out_at = now() WHERE id = $1`, [quitter.userId]);
    await harness.queue(quitter, { text: 'hello', priority: 'medium' });

    const summary = await harness.dispatch();

    expect(summary).toMatchObject({ sent: 3, held: 2, superseded: 1, cancelled: 1, failed: 3 });
    expect(await harness.decided('urgent', 'sent')).toBe(2);
    expect(await harness.decided('high', 'sent')).toBe(1);
    expect(await harness.decided('low', 'held')).toBe(1);
    expect(await harness.decided('medium', 'held')).toBe(1);
    expect(await harness.decided('medium', 'superseded')).toBe(1);
    expect(await harness.decided('medium', 'cancelled')).toBe(1);
    expect(await harness.decided('high', 'failed')).toBe(1);
    expect(await harness.decided('unknown', 'failed')).toBe(1);
    expect(await harness.decided('low', 'failed')).toBe(1);
    expect(await harness.decided('low', 'sent')).toBe(0);

    harness.clock.advance(HOUR);
    await harness.dispatch();
    expect((await harness.row(heldId)).status).toBe('sent');
    expect(await harness.decided('low', 'sent')).toBe(1);
    expect(await harness.decided('medium', 'sent')).toBe(1);
  });
});
