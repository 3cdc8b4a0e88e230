import { randomUUID } from 'node:crypto';
import { enqueueMessage } from '../../src/messaging/message-queue.writer';
import type { SeededUser } from '../support/seed';
import { MessagingHarness } from './messaging-harness';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Every rule of the dispatcher on real PostgreSQL, at instants the test sets (DESIGN §8). */
describe('message dispatcher rules', () => {
  let harness: MessagingHarness;

  beforeAll(async () => {
    harness = await MessagingHarness.start('2026-03-10T15:00:00Z');
  });
  afterAll(async () => {
    await harness?.close();
  });

  const budgetRows = async (user: SeededUser) =>
    (
      await harness.db.pool.query<{ date: string; messages_sent: number }>(
        `SELECT to_char(date, 'YYYY-MM-DD') AS date, messages_sent FROM user_message_budget WHERE user_id = $1 ORDER BY date`,
        [user.userId],
      )
    ).rows;

  it('sends a due text as a pending outbound row of the agent in the active conversation, and counts it', async () => {
    harness.clock.set('2026-03-10T15:00:00Z'); // 11:00 in New York
    const user = await harness.newUser();
    const id = await harness.queue(user, { text: '  Your intro with Dana is confirmed.  ', agentId: 'innovator' });
    const later = await harness.queue(user, { text: 'Later', scheduledFor: new Date('2026-03-10T15:30:00Z') });

    await harness.dispatch();

    const row = await harness.row(id);
    expect(row).toMatchObject({ status: 'sent', sent_at: new Date('2026-03-10T15:00:00Z'), status_reason: null });
    const { rows } = await harness.db.pool.query(
      `SELECT id, conversation_id, role, content, direction, status, reply_to_message_id, queue_message_id
         FROM messages WHERE user_id = $1 AND direction = 'outbound'`,
      [user.userId],
    );
    expect(rows).toEqual([
      {
        id: row.delivered_message_id,
        conversation_id: user.conversationId,
        role: 'innovator',
        content: 'Your intro with Dana is confirmed.',
        direction: 'outbound',
        status: 'pending',
        reply_to_message_id: null,
        queue_message_id: id,
      },
    ]);
    expect(await budgetRows(user)).toEqual([{ date: '2026-03-10', messages_sent: 1 }]);
    expect((await harness.row(later)).status).toBe('queued');

    harness.clock.set('2026-03-10T15:30:00Z');
    await harness.dispatch();
    expect((await harness.row(later)).status).toBe('sent');
  });

  it('holds the third text of an hour until the hour has passed', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const ids = [];
    for (const text of ['one', 'two', 'three']) ids.push(await harness.queue(user, { text }));

    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['one', 'two']);
    expect(await harness.row(ids[2])).toMatchObject({
      status: 'queued',
      scheduled_for: new Date('2026-03-10T16:00:00Z'),
      status_reason: 'hourly budget of 2 used',
    });

    harness.clock.advance(HOUR - 1000);
    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['one', 'two']);
    harness.clock.advance(1000);
    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['one', 'two', 'three']);
  });

  it('counts a multi-text sequence once, and sends its parts together, in order', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const client = await harness.db.pool.connect();
    try {
      await enqueueMessage(client, {
        userId: user.userId,
        agentId: 'concierge',
        texts: ['Part one', 'Part two', 'Part three'],
        priority: 'high',
        scheduledFor: harness.clock.now(),
      });
    } finally {
      client.release();
    }
    await harness.queue(user, { text: 'single' });
    const third = await harness.queue(user, { text: 'held' });

    await harness.dispatch();

    expect(await harness.sentTexts(user)).toEqual(['Part one', 'Part two', 'Part three', 'single']);
    expect(await budgetRows(user)).toEqual([{ date: '2026-03-10', messages_sent: 2 }]);
    expect((await harness.row(third)).status).toBe('queued');
  });

  it('keeps the daily budget per local day: five a day, the rest held to local midnight', async () => {
    // 12:00Z is 21:00 in Tokyo; local midnight is 15:00Z, still the same day in UTC.
    harness.clock.set('2026-03-10T12:00:00Z');
    const user = await harness.newUser({ timezone: 'Asia/Tokyo', quietStart: '00:00', quietEnd: '00:00' });
    const ids = [];
    for (let i = 1; i <= 7; i += 1) ids.push(await harness.queue(user, { text: `text ${i}` }));

    for (let hour = 0; hour < 3; hour += 1) {
      await harness.dispatch();
      harness.clock.advance(HOUR);
    }
    // 15:00Z now: the three passes at 21:00, 22:00 and 23:00 JST sent 2 + 2 + 1.
    expect(await harness.sentTexts(user)).toEqual(['text 1', 'text 2', 'text 3', 'text 4', 'text 5']);
    expect(await harness.row(ids[5])).toMatchObject({
      status: 'queued',
      scheduled_for: new Date('2026-03-10T15:00:00Z'),
      status_reason: 'daily budget of 5 used (2026-03-10)',
    });

    await harness.dispatch();
    expect(await harness.sentTexts(user)).toHaveLength(7);
    expect(await budgetRows(user)).toEqual([
      { date: '2026-03-10', messages_sent: 5 },
      { date: '2026-03-11', messages_sent: 2 },
    ]);
  });

  it('holds texts in quiet hours of the user’s time zone, or the user’s own quiet hours', async () => {
    // 03:00Z: 23:00 in New York (EDT), 12:00 in Tokyo, 03:00 in London.
    harness.clock.set('2026-03-10T03:00:00Z');
    const newYork = await harness.newUser({ timezone: 'America/New_York' });
    const tokyo = await harness.newUser({ timezone: 'Asia/Tokyo' });
    const london = await harness.newUser({ timezone: 'Europe/London', quietStart: '01:00', quietEnd: '04:00' });
    const unknownZone = await harness.newUser({ timezone: 'Mars/Olympus_Mons' });
    const ny = await harness.queue(newYork, { text: 'for New York' });
    const tk = await harness.queue(tokyo, { text: 'for Tokyo' });
    const ld = await harness.queue(london, { text: 'for London' });
    const unknown = await harness.queue(unknownZone, { text: 'for a bad zone' });

    await harness.dispatch();

    expect(await harness.row(tk)).toMatchObject({ status: 'sent' });
    expect(await harness.row(ny)).toMatchObject({
      status: 'queued',
      scheduled_for: new Date('2026-03-10T12:00:00Z'),
      status_reason: 'quiet hours in America/New_York',
    });
    expect(await harness.row(ld)).toMatchObject({ status: 'queued', scheduled_for: new Date('2026-03-10T04:00:00Z') });
    // An unreadable zone is read as New York's.
    expect(await harness.row(unknown)).toMatchObject({
      status: 'queued',
      scheduled_for: new Date('2026-03-10T12:00:00Z'),
    });

    harness.clock.set('2026-03-10T04:00:00Z');
    await harness.dispatch();
    expect((await harness.row(ld)).status).toBe('sent');
    expect((await harness.row(ny)).status).toBe('queued');
    harness.clock.set('2026-03-10T12:00:00Z');
    await harness.dispatch();
    expect((await harness.row(ny)).status).toBe('sent');
  });

  it('lets a user who texted in the last 10 minutes override quiet hours and the hourly cap', async () => {
    harness.clock.set('2026-03-10T03:00:00Z'); // 23:00 in New York
    const active = await harness.newUser();
    const idle = await harness.newUser();
    harness.clock.advance(-9 * MINUTE);
    await harness.userTexted(active);
    harness.clock.advance(-2 * MINUTE);
    await harness.userTexted(idle);
    harness.clock.set('2026-03-10T03:00:00Z');
    for (const text of ['a', 'b', 'c']) {
      await harness.queue(active, { text });
      await harness.queue(idle, { text });
    }

    await harness.dispatch();

    expect(await harness.sentTexts(active)).toEqual(['a', 'b', 'c']);
    expect(await harness.sentTexts(idle)).toEqual([]);
  });

  it('sends the higher lane first under a short budget, compared as numbers, then the older row', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const at = (minutes: number) => new Date(Date.parse('2026-03-10T14:00:00Z') + minutes * MINUTE);
    await harness.queue(user, { text: 'low', priority: 'low', createdAt: at(0) });
    await harness.queue(user, { text: 'medium', priority: 'medium', createdAt: at(1) });
    await harness.queue(user, { text: 'older high', priority: 'high', createdAt: at(2) });
    await harness.queue(user, { text: 'newer high', priority: 'high', createdAt: at(3) });
    await harness.queue(user, { text: 'urgent', priority: 'urgent', createdAt: at(4) });

    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['urgent', 'older high']);
    harness.clock.advance(HOUR);
    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['urgent', 'older high', 'newer high', 'medium']);
    harness.clock.advance(HOUR);
    await harness.dispatch();
    expect(await harness.sentTexts(user)).toEqual(['urgent', 'older high', 'newer high', 'medium', 'low']);
  });

  it('supersedes an older text on the same subject, and a fresh-context text whose subject is settled', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const other = await harness.newUser();
    const intro = async (status: string) =>
      (
        await harness.db.pool.query<{ id: string }>(
          `INSERT INTO intro_opportunities (connector_user_id, first_name, last_name, status) VALUES ($1, 'Dana', 'Lee', $2) RETURNING id`,
          [other.userId, status],
        )
      ).rows[0].id;
    const accepted = await intro('accepted');
    const open = await intro('open');

    // Queued through the writer: the newer text replaces the older at once.
    const client = await harness.db.pool.connect();
    try {
      for (const text of ['first news', 'newer news']) {
        await enqueueMessage(client, {
          userId: user.userId,
          agentId: 'concierge',
          texts: [text],
          priority: 'medium',
          subject: 'community_request:abc',
          scheduledFor: harness.clock.now(),
        });
      }
    } finally {
      client.release();
    }
    // Written by an outside system straight into the table: superseded when dispatched.
    const oldRaw = await harness.queue(user, {
      text: 'old raw',
      subject: 'news:1',
      createdAt: new Date('2026-03-10T14:00:00Z'),
    });
    await harness.queue(user, { text: 'new raw', subject: 'news:1', createdAt: new Date('2026-03-10T14:30:00Z') });
    const stale = await harness.queue(user, {
      text: 'Still up for the intro?',
      subject: `intro_opportunity:${accepted}`,
      requiresFreshContext: true,
      priority: 'urgent',
    });
    const fresh = await harness.queue(user, {
      text: 'Want to meet Dana?',
      subject: `intro_opportunity:${open}`,
      requiresFreshContext: true,
      priority: 'urgent',
    });

    await harness.dispatch();

    expect(await harness.row(stale)).toMatchObject({
      status: 'superseded',
      superseded_reason: 'the intro opportunity is already accepted',
    });
    expect(await harness.row(oldRaw)).toMatchObject({
      status: 'superseded',
      superseded_reason: 'a newer text on the same subject was queued',
    });
    const { rows } = await harness.db.pool.query<{ final_message: string; status: string }>(
      `SELECT final_message, status FROM message_queue WHERE user_id = $1 AND subject = 'community_request:abc' ORDER BY created_at`,
      [user.userId],
    );
    expect(rows).toEqual([
      { final_message: 'first news', status: 'superseded' },
      { final_message: 'newer news', status: 'queued' },
    ]);
    // Budget went to the texts still relevant: the fresh intro (urgent), then the newer raw text.
    expect(await harness.sentTexts(user)).toEqual(['Want to meet Dana?', 'new raw']);
    expect((await harness.row(fresh)).status).toBe('sent');
  });

  it('drops a re-engagement nudge once the user has texted after it was queued', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const nudge = await harness.queue(user, {
      text: 'Still there?',
      subject: 're_engagement:concierge',
      requiresFreshContext: true,
      createdAt: new Date('2026-03-10T14:00:00Z'),
    });
    harness.clock.set('2026-03-10T14:30:00Z');
    await harness.userTexted(user);
    harness.clock.set('2026-03-10T15:00:00Z');

    await harness.dispatch();

    expect(await harness.row(nudge)).toMatchObject({
      status: 'superseded',
      superseded_reason: 'the user texted after the re-engagement text was queued',
    });
    expect(await harness.sentTexts(user)).toEqual([]);
  });

  it('cancels texts for a user who opted out, with the reason', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    await harness.db.pool.query(`UPDATE users SET opted_out_at = now() WHERE id = $1`, [user.userId]);
    const id = await harness.queue(user, { text: 'hello' });

    await harness.dispatch();

    expect(await harness.row(id)).toMatchObject({
      status: 'cancelled',
      status_reason: 'the user opted out of texts (STOP)',
    });
    expect(await harness.sentTexts(user)).toEqual([]);
  });

  it('ends bad rows failed with a reason in the same pass that sends the good ones', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    const user = await harness.newUser();
    const good = await harness.newUser();
    const unknownPriority = await harness.queue(user, { text: 'x', priority: 'critical' });
    const noUser = await harness.queue(null, { text: 'nobody' });
    const empty = await harness.queue(user, { text: '   ' });
    const missingText = await harness.queue(user, { text: null });
    const tooLong = await harness.queue(user, { text: 'word '.repeat(400) });
    const sequenceId = randomUUID();
    const part0 = await harness.queue(user, { text: 'p0', sequence: { id: sequenceId, position: 0, total: 3 } });
    const part2 = await harness.queue(user, { text: 'p2', sequence: { id: sequenceId, position: 2, total: 3 } });
    const noTotal = await harness.queue(user, { text: 'q', sequence: { id: randomUUID(), position: 0, total: null } });
    const ok = await harness.queue(good, { text: 'fine' });

    const summary = await harness.dispatch();

    expect(await harness.row(unknownPriority)).toMatchObject({
      status: 'failed',
      status_reason: 'unknown priority "critical"',
    });
    expect(await harness.row(noUser)).toMatchObject({ status: 'failed', status_reason: 'no user: user_id is empty' });
    expect(await harness.row(empty)).toMatchObject({
      status: 'failed',
      status_reason: 'empty text: final_message is empty and there is no message_data to render',
    });
    expect(await harness.row(missingText)).toMatchObject({ status: 'failed' });
    expect(await harness.row(tooLong)).toMatchObject({
      status: 'failed',
      status_reason: 'text longer than 1600 characters, the most one SMS body may carry',
    });
    for (const part of [part0, part2]) {
      expect(await harness.row(part)).toMatchObject({
        status: 'failed',
        status_reason: 'broken sequence: 2 of 3 parts queued',
      });
    }
    expect(await harness.row(noTotal)).toMatchObject({ status: 'failed' });
    expect((await harness.row(ok)).status).toBe('sent');
    expect(summary).toMatchObject({ failed: 8, sent: 1, errors: 0 });
    expect(await harness.sentTexts(user)).toEqual([]);
  });

  it('retries a unit that meets an unexpected error, fails it after five, and sends the rest meanwhile', async () => {
    harness.clock.set('2026-03-10T15:00:00Z');
    await harness.db.pool.query(`
      CREATE OR REPLACE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content = 'poison' THEN RAISE EXCEPTION 'the SMS table refused this row'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_poison();`);
    try {
      const user = await harness.newUser();
      const other = await harness.newUser();
      const poison = await harness.queue(user, { text: 'poison', priority: 'urgent' });
      const next = await harness.queue(user, { text: 'after the poison', priority: 'low' });
      const elsewhere = await harness.queue(other, { text: 'unaffected' });

      const first = await harness.dispatch();
      expect(first.errors).toBe(1);
      expect((await harness.row(elsewhere)).status).toBe('sent');
      expect((await harness.row(next)).status).toBe('sent');
      expect(await harness.row(poison)).toMatchObject({
        status: 'queued',
        status_reason: 'dispatch error: the SMS table refused this row',
      });

      for (let attempt = 2; attempt <= 5; attempt += 1) {
        harness.clock.advance(HOUR);
        await harness.dispatch();
      }
      expect(await harness.row(poison)).toMatchObject({
        status: 'failed',
        status_reason: 'failed on every dispatch attempt: the SMS table refused this row',
      });
    } finally {
      await harness.db.pool.query(`DROP TRIGGER test_poison ON messages`);
    }
  });
});
