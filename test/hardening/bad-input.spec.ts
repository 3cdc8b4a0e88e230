import type { AnthropicStandIn } from '../support/anthropic-stand-in';
import { startBlackBox } from '../support/black-box';
import type { TestDatabase } from '../support/database';
import { expectEventually } from '../support/eventually';
import { insertInbound, seedUser } from '../support/seed';
import type { ServiceProcess } from '../support/service-process';

const PRIVATE_TEXT = 'my private diagnosis is confidential-7731';

/**
 * Rows the engine must not answer: each ends in a terminal state that says why, reads nothing of
 * anyone's conversation, writes nothing, is counted on /metrics and logged; and none of them holds
 * the user's later texts.
 */
describe('bad inbound rows', () => {
  let db: TestDatabase;
  let model: AnthropicStandIn;
  let service: ServiceProcess;
  let close: (() => Promise<void>) | undefined;

  const row = async (id: string) =>
    (await db.pool.query(`SELECT processing_state, last_error, outcome, direction FROM messages WHERE id = $1`, [id]))
      .rows[0] as { processing_state: string; last_error: string | null; outcome: string | null; direction: string };
  const outboundIn = async (conversationId: string) =>
    (
      await db.pool.query(`SELECT content FROM messages WHERE conversation_id = $1 AND direction = 'outbound'`, [
        conversationId,
      ])
    ).rows;
  const prompts = () => model.requests.map((request) => JSON.stringify(request.body)).join('\n');
  /** Every case at once, so a failure lists each row that did not end dead with its own reason. */
  const expectDeadWithReasons = (cases: Array<[string, string]>) =>
    expectEventually(async () =>
      expect(await Promise.all(cases.map(async ([id]) => ({ id, ...(await row(id)) })))).toMatchObject(
        cases.map(([id, reason]) => ({ id, processing_state: 'dead', outcome: 'dead', last_error: reason })),
      ),
    );

  beforeAll(async () => {
    ({ db, model, service, close } = await startBlackBox());
  });

  afterAll(async () => {
    await close?.();
  });

  it("a row pointing at another user's conversation is dead with its reason: nothing of that conversation is read or written", async () => {
    const member = await seedUser(db.pool, { verified: true, poc_agent_type: 'concierge', first_name: 'Mia' });
    await db.pool.query(
      `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, processing_state)
       VALUES ($1, $2, 'user', $3, 'inbound', 'delivered', 'done')`,
      [member.conversationId, member.userId, PRIVATE_TEXT],
    );
    const stranger = await seedUser(db.pool);
    const [hostile] = await db.pool
      .query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
         VALUES ($1, $2, 'user', 'hi, what did the last person say?', 'inbound', 'delivered') RETURNING id`,
        [member.conversationId, stranger.userId],
      )
      .then((result) => result.rows.map((r) => r.id));

    await expectEventually(async () => expect((await row(hostile)).processing_state).toBe('dead'));
    expect(await row(hostile)).toMatchObject({
      outcome: 'dead',
      last_error: 'bad input: the conversation belongs to another user',
    });
    expect(prompts()).not.toContain(PRIVATE_TEXT);
    expect(await outboundIn(member.conversationId)).toEqual([]);
    expect(await outboundIn(stranger.conversationId)).toEqual([]);
    expect(
      service.logs().some((line) => line.event === 'message_bad_input' && line.reason === 'foreign_conversation'),
    ).toBe(true);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/realtime_processor_bad_input_total\{reason="foreign_conversation"\} 1/);

    // The stranger's own texts in their own conversation are answered as usual.
    const [own] = await insertInbound(db.pool, stranger, ['hello']);
    await expectEventually(async () =>
      expect(await row(own)).toMatchObject({ processing_state: 'done', outcome: 'replied' }),
    );
    expect(prompts()).not.toContain(PRIVATE_TEXT);
  });

  it('rows without a user, without or with a missing conversation, with an odd role or oversized content are dead with the reason', async () => {
    const user = await seedUser(db.pool);
    const insert = async (conversationId: string | null, userId: string | null, role: string, content: string | null) =>
      (
        await db.pool.query<{ id: string }>(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
           VALUES ($1, $2, $3, $4, 'inbound', 'delivered') RETURNING id`,
          [conversationId, userId, role, content],
        )
      ).rows[0].id;
    const cases: Array<[string, string]> = [
      [await insert(null, null, 'user', 'no user'), 'bad input: the message has no user_id'],
      [await insert(null, user.userId, 'user', 'no conversation'), 'bad input: the message has no conversation_id'],
      [
        await insert(user.conversationId, user.userId, 'assistant', 'odd role'),
        "bad input: the role is neither 'user' nor 'system'",
      ],
      [await insert(user.conversationId, user.userId, 'user', null), 'bad input: the content is NULL'],
      [
        await insert(user.conversationId, user.userId, 'user', 'x'.repeat(20_000)),
        'bad input: the content is longer than an inbound text can be',
      ],
    ];
    await expectDeadWithReasons(cases);
    expect(await outboundIn(user.conversationId)).toEqual([]);
  });

  it('rows whose content is not clean text (control characters, a lost encoding, a lone surrogate) are dead with the reason and counted', async () => {
    const user = await seedUser(db.pool);
    const insert = async (content: string) =>
      (
        await db.pool.query<{ id: string }>(
          `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
           VALUES ($1, $2, 'user', $3, 'inbound', 'delivered') RETURNING id`,
          [user.conversationId, user.userId, content],
        )
      ).rows[0].id;
    const control = 'bad input: the content holds control characters';
    const encoding = 'bad input: the content lost its encoding on the way (U+FFFD or a noncharacter)';
    const cases: Array<[string, string]> = [
      [await insert('ring \u0007 the bell'), control],
      [await insert('escape \u001b[31m red'), control],
      [await insert('c1 \u0085 next line'), control],
      [await insert('caf\ufffd'), encoding],
      // A lone surrogate (invalid UTF-16) reaches the database as U+FFFD.
      [await insert('half an emoji \ud83d'), encoding],
    ];
    // NUL never gets this far: PostgreSQL refuses it at the writer's INSERT.
    await expect(insert('nul \u0000 byte')).rejects.toThrow();
    // Tabs, line breaks, accents and emoji are plain text.
    const [fine] = await insertInbound(db.pool, user, ['line one\r\n\tline two, caf\u00e9 \ud83d\ude00']);
    await expectDeadWithReasons(cases);
    await expectEventually(async () =>
      expect(await row(fine)).toMatchObject({ processing_state: 'done', outcome: 'replied' }),
    );
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/realtime_processor_bad_input_total\{reason="control_characters"\} 3/);
    expect(metrics).toMatch(/realtime_processor_bad_input_total\{reason="invalid_encoding"\} 2/);
  });

  it('a system row nobody acts on is done with the reason recorded, not as an answer with nothing to say', async () => {
    const user = await seedUser(db.pool);
    const [id] = await insertInbound(db.pool, user, ['{"type":"something_else"}'], 'system');
    await expectEventually(async () => expect((await row(id)).processing_state).toBe('done'));
    expect((await row(id)).outcome).toMatch(/^skipped: no user text and no actionable system row/);
  });

  it('a next_attempt_at a century ahead does not hold the user: their later texts are answered', async () => {
    const user = await seedUser(db.pool);
    const [stuck] = await insertInbound(db.pool, user, ['first']);
    await expectEventually(async () => expect((await row(stuck)).processing_state).toBe('done'));
    const [blocked] = await db.pool
      .query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, next_attempt_at)
         VALUES ($1, $2, 'user', 'from the future', 'inbound', 'delivered', now() + interval '100 years') RETURNING id`,
        [user.conversationId, user.userId],
      )
      .then((result) => result.rows.map((r) => r.id));
    const [later] = await insertInbound(db.pool, user, ['still there?']);
    await expectEventually(async () => expect((await row(later)).processing_state).toBe('done'));
    expect((await row(blocked)).processing_state).toBe('done');
  });

  it('a text put back with a next_attempt_at a century ahead, with no wake-up left, is found by the catch-up sweep and answered', async () => {
    const user = await seedUser(db.pool);
    // Stored done, so the wake-up of its insert finds nothing to claim; the user's next text being
    // answered shows that wake-up has passed.
    const [id] = await db.pool
      .query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status, processing_state)
         VALUES ($1, $2, 'user', 'put back for later', 'inbound', 'delivered', 'done') RETURNING id`,
        [user.conversationId, user.userId],
      )
      .then((result) => result.rows.map((r) => r.id));
    const [marker] = await insertInbound(db.pool, user, ['first']);
    await expectEventually(async () => expect((await row(marker)).processing_state).toBe('done'));
    // Put back as a retry due a century ahead, as a broken writer or clock leaves it. An UPDATE
    // wakes nobody up: only the sweep, reading that time as due, can find it.
    await db.pool.query(
      `UPDATE messages SET processing_state = 'pending', next_attempt_at = now() + interval '100 years' WHERE id = $1`,
      [id],
    );
    await expectEventually(async () =>
      expect(await row(id)).toMatchObject({ processing_state: 'done', outcome: 'replied' }),
    );
  });

  it("direction 'INBOUND' is stored as an inbound text and answered like any other", async () => {
    const user = await seedUser(db.pool);
    const [id] = await db.pool
      .query<{ id: string }>(
        `INSERT INTO messages (conversation_id, user_id, role, content, direction, status)
         VALUES ($1, $2, 'user', 'shouting direction', 'INBOUND', 'delivered') RETURNING id`,
        [user.conversationId, user.userId],
      )
      .then((result) => result.rows.map((r) => r.id));
    await expectEventually(async () =>
      expect(await row(id)).toMatchObject({ direction: 'inbound', processing_state: 'done', outcome: 'replied' }),
    );
    expect((await outboundIn(user.conversationId)).length).toBeGreaterThan(0);
  });
});
