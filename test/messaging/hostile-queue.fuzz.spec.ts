import { randomUUID } from 'node:crypto';
import { hostileTexts } from '../fuzz/bad-input.generator';
import { queueSendProblems } from '../support/queue-audit';
import { seededRandom } from '../support/seeded-random';
import type { SeededUser } from '../support/seed';
import { MessagingHarness } from './messaging-harness';

const USERS = 30;
const ROWS = 240;
const HOUR = 3_600_000;

/**
 * Hostile queue rows and user settings (what a bug or an outside writer could store): the
 * dispatcher never errors, never crashes, and every row ends sent, cancelled, superseded or
 * failed with its reason, within the days its budget needs. Seeded, so a failure reproduces.
 */
describe('hostile message_queue rows', () => {
  let harness: MessagingHarness;

  beforeAll(async () => {
    harness = await MessagingHarness.start('2026-06-01T12:00:00Z');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('ends every row with a reason and never errors', async () => {
    const random = seededRandom(11);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const zones = [
      '',
      'UTC',
      'Asia/Tokyo',
      'America/Los_Angeles',
      'Not/AZone',
      '+05:00',
      "'; DROP TABLE users;--",
      'x'.repeat(300),
    ];
    const times = [null, '00:00', '22:00', '08:00', '23:59:59', '24:00:00', '12:30'];
    const users: SeededUser[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const user = await harness.newUser({ timezone: pick(zones) });
      await harness.db.pool.query(
        `UPDATE users SET quiet_hours_start = $2, quiet_hours_end = $3, opted_out_at = $4 WHERE id = $1`,
        [user.userId, pick(times), pick(times), random() < 0.1 ? new Date() : null],
      );
      users.push(user);
    }
    const texts = hostileTexts(random, 40).filter((text) => !text.name.includes('surrogate'));
    const priorities = ['urgent', 'high', 'medium', 'low', 'URGENT', '', 'critical', ' high', 'null'];
    const subjects = [
      null,
      'intro_opportunity:not-a-uuid',
      `intro_opportunity:${randomUUID()}`,
      'community_request:',
      ':',
      're_engagement',
      'news:1',
      'x'.repeat(500),
    ];
    const agents = [null, '', 'concierge', 'bouncer', 'innovator', 'account_manager', 'a'.repeat(200)];
    let inserted = 0;
    while (inserted < ROWS) {
      const user = pick(users);
      const sequence = random() < 0.25;
      const total = sequence ? pick([2, 3, 0, -1]) : null;
      const sequenceId = sequence ? randomUUID() : null;
      const parts = sequence ? pick([1, 2, 3]) : 1;
      for (let part = 0; part < parts; part += 1) {
        const position = sequence ? pick([part, part, part, -1, 0]) : null;
        await harness.queue(user, {
          text: pick(texts).value,
          priority: pick(priorities),
          agentId: pick(agents),
          subject: pick(subjects),
          requiresFreshContext: random() < 0.5,
          scheduledFor: new Date(Date.parse('2026-06-01T12:00:00Z') - Math.floor(random() * 48) * HOUR),
          sequence: sequenceId ? { id: sequenceId, position, total } : undefined,
        });
        inserted += 1;
      }
    }

    let errors = 0;
    for (let hour = 0; hour < 24 * 4; hour += 1) {
      errors += (await harness.dispatch()).errors;
      harness.clock.advance(HOUR);
    }

    expect(errors).toBe(0);
    const { rows } = await harness.db.pool.query<{ status: string; n: number; unexplained: number }>(
      `SELECT status, count(*)::int AS n,
              count(*) FILTER (WHERE status IN ('failed', 'cancelled') AND status_reason IS NULL
                                  OR status = 'superseded' AND superseded_reason IS NULL)::int AS unexplained
         FROM message_queue GROUP BY status ORDER BY status`,
    );
    expect(rows.map((row) => row.status).filter((status) => status === 'queued')).toEqual([]);
    expect(rows.reduce((sum, row) => sum + row.unexplained, 0)).toBe(0);
    expect(rows.find((row) => row.status === 'sent')?.n).toBeGreaterThan(0);
    expect(rows.find((row) => row.status === 'failed')?.n).toBeGreaterThan(0);
    expect(await queueSendProblems(harness.db.pool)).toEqual([]);
    // What went out was a known lane and real text.
    const sent = await harness.db.pool.query(
      `SELECT id FROM message_queue WHERE status = 'sent'
         AND (priority NOT IN ('urgent', 'high', 'medium', 'low') OR btrim(final_message) = '')`,
    );
    expect(sent.rows).toEqual([]);
  }, 120_000);
});
